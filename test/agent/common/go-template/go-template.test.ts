import { describe, expect, it } from 'vitest';
import { render, ZERO_VALUE } from '../../../../agent/common/go-template/execute';
import { sprintf } from '../../../../agent/common/go-template/values';

const funcs = { upper: (s: unknown) => String(s).toUpperCase(), fail: () => { throw new Error('boom'); } };
const r = (source: string, data: unknown = {}, extra: Partial<Parameters<typeof render>[2]> = {}) => render(source, data, { funcs, ...extra });

describe('Go text/template evaluator', () => {
  it('prints fields, variables and literals as Go does', () => {
    expect(r('a{{ .x }}b', { x: 1 })).toBe('a1b');
    expect(r('{{ .m }}', { m: { b: 2, a: [1, 'x'] } })).toBe('map[a:[1 x] b:2]');
    expect(r('{{ .missing }}', {})).toBe('<no value>');
    expect(r('{{ 1.5 }} {{ 0x10 }} {{ -3 }} {{ 017 }} {{ true }} {{ "a\\tb" }} {{ `raw\\n` }} {{ \'a\' }}')).toBe('1.5 16 -3 15 true a\tb raw\\n 97');
    expect(r('{{ $x := .a }}{{ $x }}{{ $x = 5 }}{{ $x }}', { a: 'q' })).toBe('q5');
    expect(r('{{ $.top }}{{ with .inner }}{{ $.top }}{{ .v }}{{ end }}', { top: 'T', inner: { v: 'V' } })).toBe('TTV');
  });

  it('trims whitespace around trim markers and drops comments', () => {
    expect(r('a  \n {{- .x -}} \n  b', { x: 1 })).toBe('a1b');
    expect(r('a {{/* a comment */}} b')).toBe('a  b');
    expect(r('a {{- /* c */ -}} b')).toBe('ab');
    expect(r('x{{-3}}')).toBe('x-3');
  });

  it('uses custom delimiters and leaves the default ones as text', () => {
    expect(r('[[ .x ]] {{ .x }}', { x: 7 }, { leftDelim: '[[', rightDelim: ']]' })).toBe('7 {{ .x }}');
    expect(r('[[- .x -]] ]]', { x: 7 }, { leftDelim: '[[', rightDelim: ']]' })).toBe('7]]');
  });

  it('runs if/else if/else, with/else with, range with else, break and continue', () => {
    const t = '{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else }}many{{ end }}';
    expect([1, 2, 3].map((n) => r(t, { n }))).toEqual(['one', 'two', 'many']);
    expect(r('{{ with .a }}A{{ else with .b }}B{{ .}}{{ else }}none{{ end }}', { b: 'x' })).toBe('Bx');
    expect(r('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] })).toBe('0=a;1=b;');
    expect(r('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { z: 1, a: 2 } })).toBe('a=2;z=1;');
    expect(r('{{ range .l }}{{ . }}{{ else }}empty{{ end }}', { l: [] })).toBe('empty');
    expect(r('{{ range .l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}', { l: [1, 2, 3, 4, 5] })).toBe('13');
    expect(r('{{ range 3 }}{{ . }}{{ end }}')).toBe('012');
  });

  it('pipes the previous result as the last argument and calls functions and methods', () => {
    expect(r('{{ .s | upper | printf "%s!" }}', { s: 'hi' })).toBe('HI!');
    expect(r('{{ (index .l 1).name }}', { l: [{}, { name: 'n' }] })).toBe('n');
    class Box { constructor(readonly Val: string) {} Twice(n: number) { return this.Val.repeat(n); } String() { return `box(${this.Val})`; } }
    expect(r('{{ .b.Twice 2 }} {{ .b.Val }} {{ .b }}', { b: new Box('ab') })).toBe('abab ab box(ab)');
    expect(r('{{ and 1 0 2 }} {{ or 0 "" "x" }} {{ not 0 }} {{ len "héllo" }} {{ len .l }}', { l: [1, 2] })).toBe('0 x true 6 2');
    expect(r('{{ print 1 2 "a" "b" 3 }}|{{ println "a" 1 }}|{{ html "<a&b>" }}|{{ urlquery "a b&c" }}')).toBe('1 2ab3|a 1\n|&lt;a&amp;b&gt;|a+b%26c');
    expect(r('{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" .x }}{{ block "b" 2 }}<{{ . }}>{{ end }}', { x: 1 })).toBe('[1]<2>');
  });

  it('gives a map type zero value for a missing key when it has one', () => {
    const items = Object.assign(new Map([['a', 'A']]), { [ZERO_VALUE]: () => '' });
    expect(r('[{{ .i.b }}][{{ .i.a }}]', { i: items })).toBe('[][A]');
  });

  it('fails with Go error texts', () => {
    expect(() => r('{{ nope }}', {}, { name: 'x' })).toThrow('template: x:1: function "nope" not defined');
    expect(() => r('{{ if .a }}', {}, { name: 'x' })).toThrow('template: x:1: unexpected EOF');
    expect(() => r('a\n{{ .a', {}, { name: 'x' })).toThrow('template: x:2: unclosed action');
    expect(() => r('{{ $y }}', {}, { name: 'x' })).toThrow('template: x:1: undefined variable "$y"');
    expect(() => r('\n  {{ fail "a" }}', {}, { name: 'x' })).toThrow('template: x:2:5: executing "x" at <fail "a">: error calling fail: boom');
    expect(() => r('{{ .a.b }}', { a: 's' }, { name: 'x' })).toThrow("can't evaluate field b in type string");
    expect(() => r('{{ .nope }}', {}, { name: 'x', errMissingKey: true })).toThrow('map has no entry for key "nope"');
    expect(() => r('{{ eq 1 "1" }}')).toThrow('error calling eq: incompatible types for comparison');
    expect(() => r('{{ index .l 3 }}', { l: [1] })).toThrow('error calling index: index out of range: 3');
  });

  it('formats printf verbs as Go fmt does', () => {
    expect(sprintf('%5d|%-4s|%05.1f|%q|%x|%t|%v|%%|%d', [42, 'ab', 3.14159, 'a"b', 255, true, [1, 'a']])).toBe('   42|ab  |003.1|"a\\"b"|ff|true|[1 a]|%|%!d(MISSING)');
    expect(sprintf('%s', [1])).toBe('%!s(int=1)');
    expect(sprintf('%d', [1, 2])).toBe('1%!(EXTRA int=2)');
  });
});
