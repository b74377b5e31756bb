import { api, ApiError } from '../api';
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

/** Who is signed in. The token lives in localStorage (the API sets no cookie); the user is cached beside it. */
class Session {
  user = $state<User | null>(api.token ? readUser() : null);
  /** True once /me has confirmed (or refused) the stored token. */
  checked = $state(false);

  constructor() {
    api.onUnauthorized(() => this.signOut());
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
    this.setUser(auth.user);
    this.checked = true;
  }

  signOut() {
    api.setToken(null);
    this.setUser(null);
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
      this.setUser(await api.get<User>('/me', { retries: 1 }));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) this.signOut();
    } finally {
      this.checked = true;
    }
  }

  /** Where this user starts after login. */
  home(): string {
    if (!this.user) return '/';
    if (this.user.role === 'judge') return '/judge';
    if (this.user.role === 'organizer' || this.user.role === 'admin') return '/admin';
    return '/';
  }
}

export const session = new Session();
