import type { components, paths } from './schema';

/** Named server schemas (components.schemas of the OpenAPI document). */
export type Schemas = components['schemas'];

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = paths[P][M];
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer B } ? B : R extends { 202: infer C } ? C : never;
type JsonOf<X> = X extends { content: { 'application/json': infer J } } ? J : never;

/** The JSON body a route answers with on success. */
export type ResponseOf<P extends keyof paths, M extends Method = 'get'> = Op<P, M> extends { responses: infer R } ? JsonOf<Success<R>> : never;

/** The JSON body a route accepts. */
export type BodyOf<P extends keyof paths, M extends Method = 'post'> = Op<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The query parameters a route accepts. */
export type QueryOf<P extends keyof paths, M extends Method = 'get'> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** One element of a paged list answer. */
export type ItemOf<P extends keyof paths, M extends Method = 'get'> = ResponseOf<P, M> extends { data: Array<infer I> } ? I : never;
