import { test } from 'node:test';
import assert from 'node:assert/strict';
import { threadUserFromJson, withOnline, presenceLabel } from '../examples/thread-user.js';

const now = new Date('2026-11-29T12:00:00Z');

test('online comes from is_online alone: an old last_online does not make a user offline', () => {
  const u = threadUserFromJson({ id: 'a', username: 'a', name: 'A', joined_at: '2026-01-01T00:00:00Z',
    is_online: true, last_online: '2026-11-27T12:00:00Z' });
  assert.equal(u.isOnline, true);
  assert.equal(presenceLabel(u, now), 'online');
});

test('a recent last_online does not make a user online (no 15-minute threshold)', () => {
  const u = threadUserFromJson({ id: 'b', username: 'b', name: 'B', joined_at: '2026-01-01T00:00:00Z',
    is_online: false, last_online: '2026-11-29T11:59:30Z' });
  assert.equal(u.isOnline, false);
  assert.equal(presenceLabel(u, now), 'last seen just now');
});

test('last seen is worded from last_online, and absent when the server sends none', () => {
  const base = { id: 'c', username: 'c', name: 'C', joined_at: '2026-01-01T00:00:00Z', is_online: false };
  assert.equal(presenceLabel(threadUserFromJson(base), now), 'offline');
  assert.equal(presenceLabel(threadUserFromJson({ ...base, last_online: '2026-11-29T11:35:00Z' }), now), 'last seen 25 min ago');
  assert.equal(presenceLabel(threadUserFromJson({ ...base, last_online: '2026-11-29T07:00:00Z' }), now), 'last seen 5 h ago');
  assert.equal(presenceLabel(threadUserFromJson({ ...base, last_online: '2026-11-20T07:00:00Z' }), now), 'last seen 2026-11-20');
});

test('a status change flips the flag; going offline records when', () => {
  const u = threadUserFromJson({ id: 'd', username: 'd', name: 'D', joined_at: '2026-01-01T00:00:00Z', is_online: true });
  const off = withOnline(u, false, now);
  assert.equal(off.isOnline, false);
  assert.equal(presenceLabel(off, now), 'last seen just now');
  assert.equal(withOnline(off, true).isOnline, true);
});
