import { describe, expect, it } from 'vitest';
import { baseName, exactNumber, formatBytes, formatDuration, formatNumber } from '../../renderer/src/lib/format.ts';

describe('formatNumber', () => {
  it('spells out non-finite values and negative zero', () => {
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('Infinity');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
    expect(formatNumber(-0)).toBe('-0');
    expect(exactNumber(-0)).toBe('-0');
  });
  it('is compact', () => {
    expect(formatNumber(0.4723519471)).toBe('0.47235');
    expect(formatNumber(2861.2345)).toBe('2861.2');
    expect(formatNumber(100)).toBe('100');
    expect(formatNumber(1e-300)).toBe('1e-300');
    expect(formatNumber(1.7976931348623157e308)).toBe('1.798e+308');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(-12345678.9)).toBe('-12345679');
    expect(formatNumber(12345.678)).toBe('12346');
    expect(formatNumber(1099511627776)).toBe('1.1e+12');
  });
});

describe('formatDuration', () => {
  it('scales units', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(2 * 3600_000 + 3 * 60_000)).toBe('2h 03m');
    expect(formatDuration(3 * 86400_000 + 4 * 3600_000)).toBe('3d 4h');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('misc', () => {
  it('formats sizes and base names', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2 * 1024 * 1024)).toBe('2.0 MB');
    expect(formatBytes(null)).toBe('');
    expect(baseName('/home/alice/projects/train.py')).toBe('train.py');
    expect(baseName('train.py')).toBe('train.py');
  });
});
