// The server's search rule (accents optional), so a filter in the page finds what the bank's search finds.
export { matchesSearch } from '../../../server/src/lib/collation';
