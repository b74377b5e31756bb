// The one door to the API (client.ts) and the endpoints of each area beside it.
export * from './client';
