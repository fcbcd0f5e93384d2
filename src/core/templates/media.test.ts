import { describe, expect, it } from 'vitest';
import {
  assetHash,
  displayText,
  fileAccepts,
  imageSize,
  isAcceptEntry,
  isAssetRef,
  mediaSource,
  readField,
  safeLinkUrl,
  safeMediaSource,
} from './media.ts';
import { escapeSegment, parsePointer, pointer, prefixProblems } from './pointer.ts';

const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('asset references', () => {
  it('are asset: and 64 lowercase hex digits', () => {
    expect(isAssetRef(`asset:${HASH}`)).toBe(true);
    expect(assetHash(`asset:${HASH}`)).toBe(HASH);
    for (const bad of [HASH, `asset:${HASH.toUpperCase()}`, `asset:${HASH.slice(1)}`, `Asset:${HASH}`, 3, null]) {
      expect(isAssetRef(bad)).toBe(false);
      expect(assetHash(bad)).toBeNull();
    }
  });
});

describe('displayText', () => {
  it('keeps strings exactly and stringifies the rest', () => {
    expect(displayText('  a\r\nb ')).toBe('  a\r\nb ');
    expect(displayText(12.5)).toBe('12.5');
    expect(displayText(false)).toBe('false');
    expect(displayText(null)).toBe('');
    expect(displayText(undefined)).toBe('');
    expect(displayText({ a: [1] })).toBe('{"a":[1]}');
    expect(displayText(10n as unknown)).toBe('');
  });
});

describe('imageSize', () => {
  it('reads {src, width, height} first, then top-level width/height', () => {
    expect(imageSize({ image: { src: 'x', width: 10, height: 20 }, width: 1, height: 2 }, 'image')).toEqual({ width: 10, height: 20 });
    expect(imageSize({ image: 'asset:x', width: 640, height: 480 }, 'image')).toEqual({ width: 640, height: 480 });
    expect(imageSize({ image: { src: 'x', width: 0, height: 20 }, width: 5, height: 6 }, 'image')).toEqual({ width: 5, height: 6 });
  });
  it('is null when unknown or not positive', () => {
    expect(imageSize(undefined, 'image')).toBeNull();
    expect(imageSize({ image: 'x' }, 'image')).toBeNull();
    expect(imageSize({ image: 'x', width: '640', height: 480 }, 'image')).toBeNull();
    expect(imageSize({ image: 'x', width: -1, height: 480 }, 'image')).toBeNull();
  });
  it('never reads inherited properties', () => {
    expect(readField({}, 'constructor')).toBeUndefined();
    expect(readField(JSON.parse('{"__proto__": 5}'), '__proto__')).toBe(5);
  });
});

describe('media and link URLs', () => {
  it('mediaSource takes a string or an object src', () => {
    expect(mediaSource('a.png')).toBe('a.png');
    expect(mediaSource({ src: 'b.png' })).toBe('b.png');
    expect(mediaSource({ url: 'b.png' })).toBeNull();
  });
  it('safeMediaSource allows assets, http(s) and media data URLs only', () => {
    expect(safeMediaSource(`asset:${HASH}`)).toEqual({ kind: 'asset', hash: HASH });
    expect(safeMediaSource('https://example.kr/a.png')).toEqual({ kind: 'url', url: 'https://example.kr/a.png' });
    expect(safeMediaSource('data:image/png;base64,AAAA')).toEqual({ kind: 'url', url: 'data:image/png;base64,AAAA' });
    for (const bad of ['javascript:alert(1)', 'data:text/html,<script>', '/api/me', 'file:///etc/passwd', 'a.png', 5]) {
      expect(safeMediaSource(bad)).toBeNull();
    }
  });
  it('safeLinkUrl allows http(s) only', () => {
    expect(safeLinkUrl(' https://example.kr/a?b=1 ')).toBe('https://example.kr/a?b=1');
    for (const bad of ['javascript:alert(1)', 'mailto:a@b.kr', 'example.kr', 1]) expect(safeLinkUrl(bad)).toBeNull();
  });
});

describe('file accept lists', () => {
  it('recognises MIME types, wildcards and extensions', () => {
    for (const ok of ['image/png', 'image/*', 'application/vnd.ms-excel', '.pdf', '.tar.gz']) expect(isAcceptEntry(ok)).toBe(true);
    for (const bad of ['image', '*/*x', '.', 'pdf', '/png', 'image/ png']) expect(isAcceptEntry(bad)).toBe(false);
  });
  it('matches files by MIME type or name', () => {
    expect(fileAccepts([], {})).toBe(true);
    expect(fileAccepts(['image/*'], { mimeType: 'IMAGE/JPEG' })).toBe(true);
    expect(fileAccepts(['image/png'], { mimeType: 'image/png; charset=binary' })).toBe(true);
    expect(fileAccepts(['image/png'], { mimeType: 'image/jpeg' })).toBe(false);
    expect(fileAccepts(['.hwp'], { name: '보고서.HWP' })).toBe(true);
    expect(fileAccepts(['.hwp'], { mimeType: 'application/x-hwp' })).toBe(false);
    expect(fileAccepts(['image/*'], { name: 'a.png' })).toBe(false);
  });
});

describe('JSON pointers', () => {
  it('escapes and parses segments', () => {
    expect(pointer('', 'controls', 0, 'options')).toBe('/controls/0/options');
    expect(pointer('/x', 'a/b', '~c')).toBe('/x/a~1b/~0c');
    expect(escapeSegment('~/')).toBe('~0~1');
    expect(parsePointer('/x/a~1b/~0c')).toEqual(['x', 'a/b', '~c']);
    expect(parsePointer('')).toEqual([]);
  });
  it('prefixProblems nests paths under a body key', () => {
    expect(prefixProblems([{ path: '/controls/0', problem: 'p' }, { path: '', problem: 'q' }], '/template')).toEqual([
      { path: '/template/controls/0', problem: 'p' },
      { path: '/template', problem: 'q' },
    ]);
  });
});
