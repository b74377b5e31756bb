// Types of the API's requests and answers, read from the generated schema.d.ts
// (`npm run gen:types`), by path and method as the server declares them.
import type { paths } from './schema';

type Prefixed = keyof paths & `/api/v1/${string}`;
/** A path under /api/v1, as the client is given it (the base URL is the client's). */
export type ApiPath = Prefixed extends `/api/v1${infer P}` ? P : never;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Op<P extends ApiPath, M extends Method> = NonNullable<paths[`/api/v1${P}`][M]>;
type Json<X> = X extends { content: { 'application/json': infer J } } ? J : void;
type Success<R> = R extends { 200: infer X } ? Json<X> : R extends { 201: infer X } ? Json<X> : R extends { 202: infer X } ? Json<X> : void;

/** The JSON of a call's success answer (200, else 201, else 202). */
export type ResponseOf<P extends ApiPath, M extends Method = 'get'> = Success<Op<P, M>['responses']>;
/** The JSON body a call takes. */
export type BodyOf<P extends ApiPath, M extends Method> = Op<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;
/** The query string a call takes. */
export type QueryOf<P extends ApiPath, M extends Method = 'get'> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** One element of an array type. */
export type Item<A> = A extends readonly (infer X)[] ? X : never;
