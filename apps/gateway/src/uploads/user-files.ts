import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/** A user id as the broker takes it for a per-user folder. */
const userIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The users' data folders, `<root>/<user id>`, which their per-user MCP servers are rooted at.
 * Uploads lie in `uploads/<upload id>/<name>`; a file being received waits in
 * `uploads/.incoming/`, which the data server does not list (it skips dot folders).
 */
export class UserFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  static storagePath(uploadId: string, name: string): string {
    return `uploads/${uploadId}/${name}`;
  }

  /** Where a file being received waits until it has passed every check. */
  async incomingPath(userId: string, uploadId: string): Promise<string> {
    const folder = this.inside(userId, 'uploads/.incoming');
    // Made as the broker makes a user's folder: readable by this service's user only.
    await mkdir(folder, { recursive: true, mode: 0o700 });
    return join(folder, `${uploadId}.part`);
  }

  /** Moves a received file to its place (a rename: the data server never sees half a file). */
  async place(userId: string, incoming: string, storagePath: string): Promise<void> {
    const target = this.inside(userId, storagePath);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(incoming, target);
  }

  /** Removes an upload's folder and the file in it; one that is already gone is not an error. */
  async remove(userId: string, uploadId: string): Promise<void> {
    await rm(this.inside(userId, `uploads/${uploadId}`), { recursive: true, force: true });
  }

  /** A path in the user's folder; anything that would lead out of it is refused. */
  inside(userId: string, relativePath: string): string {
    if (!userIdPattern.test(userId)) throw new Error(`Not a user id: ${JSON.stringify(userId)}`);
    const folder = join(this.root, userId);
    const target = resolve(folder, relativePath);
    if (!target.startsWith(`${folder}${sep}`)) throw new Error(`${JSON.stringify(relativePath)} leads out of the user's folder`);
    return target;
  }
}
