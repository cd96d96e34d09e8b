// The plain-JavaScript thread member model after the migration of docs/clients.md: online is the
// server's is_online, never derived from a timestamp; last_online is only "last seen" text.
// Run by test/thread-user.test.js; quoted by docs/clients.md.

// tag::after[]
/** A member of a thread as GET /threads returns it (docs/schema/thread-user.schema.json). */
export function threadUserFromJson(json) {
  return {
    id: json.id,
    username: json.username,
    name: json.name,
    joinedAt: new Date(json.joined_at),
    isOnline: json.is_online === true,                               // computed by the server
    lastOnline: json.last_online ? new Date(json.last_online) : null, // "last seen", may be absent
  };
}

/** The same member after user_status_changed / invitation_accepted (or a client 'status' event). */
export function withOnline(user, isOnline, lastOnline = null) {
  return { ...user, isOnline, lastOnline: isOnline ? user.lastOnline : (lastOnline ?? user.lastOnline) };
}

/** What to show next to the name: no threshold, the flag decides; the time only words it. */
export function presenceLabel(user, now = new Date()) {
  if (user.isOnline) return 'online';
  if (!user.lastOnline) return 'offline'; // never seen, or the server does not show it
  const minutes = Math.max(0, Math.floor((now - user.lastOnline) / 60000));
  if (minutes < 1) return 'last seen just now';
  if (minutes < 60) return `last seen ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `last seen ${hours} h ago`;
  return `last seen ${user.lastOnline.toISOString().slice(0, 10)}`;
}
// end::after[]
