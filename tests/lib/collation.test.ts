import { describe, expect, it } from 'vitest';
import { comparePersonNames, compareVi, matchesSearch, searchKey, sortByName } from '../../server/src/lib/collation';

describe('Vietnamese order', () => {
  it('puts đ after d, the vowels with marks after their base letters, and compares numbers as numbers', () => {
    const places = [
      'Huyện Yên Định',
      'Huyện Đông Sơn',
      'Huyện Hoằng Hóa',
      'Huyện Hậu Lộc',
      'Huyện Hà Trung',
      'Huyện Cẩm Thủy',
      'Huyện Diễn Châu',
      'Phường 10',
      'Phường 2',
    ];
    expect([...places].sort(compareVi)).toEqual([
      'Huyện Cẩm Thủy',
      'Huyện Diễn Châu',
      'Huyện Đông Sơn',
      'Huyện Hà Trung',
      'Huyện Hậu Lộc',
      'Huyện Hoằng Hóa',
      'Huyện Yên Định',
      'Phường 2',
      'Phường 10',
    ]);
    // Code-point order, what a C collation gives, is the one this replaces.
    expect([...places].sort()).not.toEqual([...places].sort(compareVi));
  });

  it('lists people by given name, then by the whole name', () => {
    const people = ['Lê Thị Bình', 'Trần Văn An', 'Nguyễn Văn An', 'Phạm Đức', 'Đỗ Thị Dung'];
    expect([...people].sort(comparePersonNames)).toEqual(['Nguyễn Văn An', 'Trần Văn An', 'Lê Thị Bình', 'Đỗ Thị Dung', 'Phạm Đức']);
  });

  it('sorts rows by a name in place', () => {
    const rows = [{ name: 'Xã Ân' }, { name: 'Xã An' }, { name: 'Xã Ấp' }, { name: 'Xã Ăn' }];
    const sorted = sortByName(rows, (r) => r.name);
    expect(sorted).toBe(rows);
    expect(rows.map((r) => r.name)).toEqual(['Xã An', 'Xã Ăn', 'Xã Ân', 'Xã Ấp']);
  });

  it('searches with or without accents, in any case', () => {
    expect(searchKey('Kiểm thử  Phần mềm Đà Nẵng')).toBe('kiem thu phan mem da nang');
    expect(matchesSearch('Chuyển đổi số là gì?', 'chuyen doi so')).toBe(true);
    expect(matchesSearch('Chuyển đổi số là gì?', 'CHUYỂN ĐỔI')).toBe(true);
    expect(matchesSearch('Chuyển đổi số là gì?', 'chuyen doi xanh')).toBe(false);
    expect(matchesSearch('Đề án 06', 'de an')).toBe(true);
    expect(matchesSearch('anything', '  ')).toBe(true);
  });
});
