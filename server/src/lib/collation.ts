/**
 * Vietnamese alphabetical order for what people read as a list: places, units, topics,
 * names. A database orders by its collation, code point in PGlite and in C.UTF-8 databases,
 * which puts "Huyện Đông Sơn" after "Huyện Yên Định" and "Huyện Hoằng Hóa" before "Huyện Hà
 * Trung"; ICU's Vietnamese order (a ă â b c d đ e ê …, tones after letters) is the one a
 * resident expects in a drop-down, whatever the database. Numbers inside names compare as
 * numbers ("Phường 2" before "Phường 10"). Node ships full ICU on every supported version.
 */
const vi = new Intl.Collator('vi', { numeric: true });

/** Vietnamese alphabetical order of two strings. */
export const compareVi: (a: string, b: string) => number = vi.compare;

/**
 * A list of people as Vietnamese lists are kept: by given name (the last word), then by
 * the whole name, so "Trần Văn An" comes before "Lê Thị Bình".
 */
export function comparePersonNames(a: string, b: string): number {
  return vi.compare(givenName(a), givenName(b)) || vi.compare(a, b);
}

function givenName(fullName: string): string {
  const words = fullName.trim().split(/\s+/);
  return words[words.length - 1] ?? '';
}

/** `rows` sorted in place by the Vietnamese order of `name`, and returned. */
export function sortByName<T>(rows: T[], name: (row: T) => string): T[] {
  return rows.sort((a, b) => vi.compare(name(a), name(b)));
}

/**
 * A text as a search compares it: lower case, without tone marks or diacritics, đ as d, runs
 * of white space as one. Residents and staff often type Vietnamese without accents ("kiem
 * thu" for "kiểm thử"); the search finds both ways.
 */
export function searchKey(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Whether `text` contains `query`, compared by searchKey (an empty query matches everything). */
export function matchesSearch(text: string, query: string): boolean {
  const q = searchKey(query);
  return !q || searchKey(text).includes(q);
}
