// Client-rendered SPA: data comes from the API with the user's bearer token.
export const ssr = false;
export const prerender = false;
