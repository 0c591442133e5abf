/**
 * Where a long job name is cut: the head may be shortened with an ellipsis, the tail is always
 * shown. The tail is the name's last part after a `.` or `/` (its step: `transcode-720p`) when that
 * is short, else its last 12 characters; names of up to 24 characters are not split.
 */
const SHORT = 24;
const TAIL_MAX = 18;
const TAIL_CHARS = 12;

export function splitName(name: string): [head: string, tail: string] {
  if (name.length <= SHORT) return [name, ''];
  const cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('/'));
  const last = cut >= 0 ? name.length - cut : Infinity;
  const at = last >= 3 && last <= TAIL_MAX ? cut : name.length - TAIL_CHARS;
  return [name.slice(0, at), name.slice(at)];
}
