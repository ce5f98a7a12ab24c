// Who a commit is by: the user as author (a mail address made from the user id, never a real
// one), and the process that commits as committer.
export function commitIdentity(
  userId: string,
  committer: { name: string; email: string },
): NodeJS.ProcessEnv {
  const local = userId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return {
    GIT_AUTHOR_NAME: userId,
    GIT_AUTHOR_EMAIL: `${local}@users.warmgate.invalid`,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}
