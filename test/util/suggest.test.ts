// Did-you-mean: the edit distance (a swap of neighbours is one edit) and when a guess is offered.
import { closestName, didYouMean, editDistance } from '../../util/suggest';

test('edit distance counts inserts, deletes, replacements and swaps of neighbours', () => {
  expect(editDistance('gen', 'gen')).toBe(0);
  expect(editDistance('gem', 'gemm')).toBe(1);
  expect(editDistance('gne', 'gen')).toBe(1);
  expect(editDistance('mnst', 'mnist')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
});

test('a guess only when the word is close to one name, or the start of exactly one', () => {
  expect(closestName('gem', ['gemm', 'config', 'out'])).toBe('gemm');
  expect(closestName('tsmi', ['fsim', 'fsim-js', 'tsim'])).toBe('tsim');
  expect(closestName('frobnicate', ['gen', 'run', 'conform'])).toBeUndefined();
  expect(closestName('gen', ['gen'])).toBeUndefined(); // an exact name needs no guess
  expect(closestName('explo', ['explore', 'fpga'])).toBe('explore');
  expect(didYouMean('pynqz1', ['pynq-z1', 'ultra96'])).toBe('; did you mean pynq-z1?');
  expect(didYouMean('gne', ['gen'], (n) => `vta ${n}`)).toBe('; did you mean vta gen?');
  expect(didYouMean('zzz', ['gen'])).toBe('');
});
