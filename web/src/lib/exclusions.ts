// The exclusion list's rules have one home, the server's (server/src/lib/exclusion-entry.ts,
// a module with no server-only imports): the page's paste box and its row check read a CCCD,
// a phone and a note exactly as PUT .../exclusions and the file import do.
export { normalizeEntry, parsePastedLines, type ExclusionEntry, type PastedLine } from '../../../server/src/lib/exclusion-entry';
