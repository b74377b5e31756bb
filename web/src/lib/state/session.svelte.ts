import { api, ApiError } from '../api';
import * as authApi from '../api/auth';
import type { AuthResponse, Role, User } from '../types';

const USER_KEY = 'ttt.user';

function readUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as User) : null;
  } catch {
    return null;
  }
}

/** Why the user was signed out without asking: the login page says so. */
export type SignedOutReason = 'revoked' | 'loggedOutEverywhere' | 'passwordChanged';

/** Who is signed in. The token lives in localStorage (the API sets no cookie); the user is cached beside it. */
class Session {
  user = $state<User | null>(api.token ? readUser() : null);
  /** True once /me has confirmed (or refused) the stored token. */
  checked = $state(false);
  /** Set when the session ended on the server's word (TOKEN_REVOKED) or by "log out everywhere"; the layout sends the user to login. */
  signedOutReason = $state<SignedOutReason | null>(null);

  constructor() {
    api.onUnauthorized((code) => {
      this.signOut();
      if (code === 'TOKEN_REVOKED') this.signedOutReason = 'revoked';
    });
    // A help-desk reset is noticed on whichever call comes first, not only at login.
    api.onPasswordChangeRequired(() => {
      if (this.user && !this.user.mustChangePassword) this.setUser({ ...this.user, mustChangePassword: true });
    });
  }

  /** After a help-desk reset: nothing but the password change is open until it is done. */
  get mustChangePassword(): boolean {
    return !!this.user?.mustChangePassword;
  }

  get signedIn(): boolean {
    return this.user !== null;
  }

  /** admin can do everything an organizer or judge can. */
  is(role: Role): boolean {
    return !!this.user && (this.user.role === role || (this.user.role === 'admin' && role !== 'resident'));
  }

  signIn(auth: AuthResponse) {
    api.setToken(auth.token);
    this.setUser({ ...auth.user, mustChangePassword: auth.mustChangePassword || auth.user.mustChangePassword ? true : undefined });
    this.signedOutReason = null;
    this.checked = true;
  }

  signOut() {
    api.setToken(null);
    this.setUser(null);
  }

  /** Ends every session of the account on the server (this one too). */
  async logoutEverywhere() {
    await authApi.logoutAll();
    this.signOut();
    this.signedOutReason = 'loggedOutEverywhere';
  }

  /**
   * POST /auth/password revokes every token issued before it, this one too, so the app logs in
   * again with the new password for the user. Should that login fail, the user is signed out
   * and asked to log in with the new password.
   */
  async changePassword(currentPassword: string, newPassword: string) {
    const phone = this.user?.phone;
    await authApi.changePassword(currentPassword, newPassword);
    api.setToken(null);
    try {
      if (!phone) throw new Error('no phone');
      this.signIn(await authApi.login(phone, newPassword, true));
    } catch {
      this.signOut();
      this.signedOutReason = 'passwordChanged';
    }
  }

  private setUser(user: User | null) {
    this.user = user;
    try {
      if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
      else localStorage.removeItem(USER_KEY);
    } catch {
      /* private mode */
    }
  }

  /** Confirms the stored token; offline keeps the cached user so a resident can keep answering. */
  async refresh() {
    if (!api.token) {
      this.setUser(null);
      this.checked = true;
      return;
    }
    try {
      this.setUser(await authApi.me());
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) this.signOut();
    } finally {
      this.checked = true;
    }
  }

  /** Where this user starts after login. */
  home(): string {
    if (!this.user) return '/';
    if (this.user.mustChangePassword) return '/account';
    if (this.user.role === 'judge') return '/judge';
    if (this.user.role === 'organizer' || this.user.role === 'admin') return '/admin';
    return '/';
  }
}

export const session = new Session();
