/** Input attributes that several forms share (for `<Field {...codeInput} …>`). */

/** A one-time code from a text message: digits, offered by the phone's keyboard and autofill. */
export const codeInput = { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 9, required: true } as const;

/** A password being chosen, which password managers may offer to generate and save. */
export const newPasswordInput = { type: 'password', autocomplete: 'new-password', required: true } as const;
