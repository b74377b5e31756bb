import { inflateSync } from 'node:zlib';

/**
 * Reads the text back out of a PDF that pdfkit wrote with embedded (Identity-H) fonts:
 * inflate the streams, map each font's glyph codes through its ToUnicode CMap, and follow
 * the Tf/TJ/Tj operators of the page contents. Enough to check what a printed page says,
 * without a PDF library. Each text show becomes one line.
 */
export function pdfText(pdf: Buffer): { lines: string[]; unmapped: number } {
  const src = pdf.toString('latin1');
  const objects = new Map<number, { dict: string; stream: Buffer | null }>();
  const objRe = /(\d+) 0 obj\s*([\s\S]*?)endobj/g;
  for (let m = objRe.exec(src); m; m = objRe.exec(src)) {
    const body = m[2];
    const s = body.indexOf('stream');
    let stream: Buffer | null = null;
    let dict = body;
    if (s >= 0 && body.includes('endstream')) {
      dict = body.slice(0, s);
      const start = m.index + m[0].indexOf(body) + s + 'stream'.length;
      const dataStart = src[start] === '\r' ? start + 2 : start + 1;
      const len = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? 0);
      const raw = pdf.subarray(dataStart, dataStart + len);
      stream = dict.includes('/FlateDecode') ? inflateSync(raw) : raw;
    }
    objects.set(Number(m[1]), { dict, stream });
  }

  const cmapOf = (objNum: number): Map<number, string> => {
    const map = new Map<number, string>();
    const text = objects.get(objNum)?.stream?.toString('latin1') ?? '';
    const hex = (h: string) => Buffer.from(h, 'hex').swap16().toString('utf16le');
    for (const block of text.match(/beginbfrange([\s\S]*?)endbfrange/g) ?? []) {
      const re = /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g;
      for (let m = re.exec(block); m; m = re.exec(block)) {
        const lo = parseInt(m[1], 16);
        const hi = parseInt(m[2], 16);
        if (m[3].startsWith('[')) {
          const items = m[3].match(/<([0-9a-fA-F]+)>/g) ?? [];
          items.forEach((it, i) => map.set(lo + i, hex(it.slice(1, -1))));
        } else {
          const base = hex(m[3].slice(1, -1));
          for (let c = lo; c <= hi; c++) map.set(c, base.slice(0, -1) + String.fromCharCode(base.charCodeAt(base.length - 1) + (c - lo)));
        }
      }
    }
    for (const block of text.match(/beginbfchar([\s\S]*?)endbfchar/g) ?? []) {
      const re = /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g;
      for (let m = re.exec(block); m; m = re.exec(block)) map.set(parseInt(m[1], 16), hex(m[2]));
    }
    return map;
  };

  const fonts = new Map<string, Map<number, string>>();
  for (const { dict } of objects.values()) {
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(dict)?.[1];
    if (!fontDict) continue;
    for (const f of fontDict.matchAll(/\/(\w+)\s+(\d+) 0 R/g)) {
      const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(objects.get(Number(f[2]))?.dict ?? '')?.[1];
      if (toUnicode && !fonts.has(f[1])) fonts.set(f[1], cmapOf(Number(toUnicode)));
    }
  }

  const lines: string[] = [];
  let unmapped = 0;
  for (const { dict, stream } of objects.values()) {
    if (!stream || /\/(Type|Subtype|Length1)\b/.test(dict) || dict.includes('/FontFile')) continue;
    const content = stream.toString('latin1');
    if (!/\bTf\b/.test(content)) continue;
    let font: Map<number, string> | undefined;
    const re = /\/(\w+)\s+[\d.]+\s+Tf|\[((?:[^\]])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g;
    for (let m = re.exec(content); m; m = re.exec(content)) {
      if (m[1]) {
        font = fonts.get(m[1]);
        continue;
      }
      const hexes = m[2] !== undefined ? [...m[2].matchAll(/<([0-9a-fA-F]*)>|(-?[\d.]+)/g)] : [[`<${m[3]}>`, m[3], undefined]];
      let line = '';
      for (const h of hexes) {
        if (h[1] === undefined) {
          // A large negative kern is pdfkit's word spacing.
          if (Number(h[2]) < -150) line += ' ';
          continue;
        }
        for (let i = 0; i + 4 <= h[1].length; i += 4) {
          const ch = font?.get(parseInt(h[1].slice(i, i + 4), 16));
          if (ch === undefined) unmapped++;
          line += ch ?? '\uFFFD';
        }
      }
      lines.push(line);
    }
  }
  return { lines, unmapped };
}
