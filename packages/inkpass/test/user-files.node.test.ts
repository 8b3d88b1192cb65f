// UserFileClient (Den with a user's bearer token) against the fake over real sockets: each call's wire, the
// files:* permission each route needs (checked before the request is read, as FastAPI runs the dependency),
// the token's organisation as the only scope, and progress callbacks on multi-MiB uploads and downloads.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  FileClient,
  PermissionDeniedError,
  ResourceNotFoundError,
  type TransferProgress,
  UserFileClient,
} from '../src/index.ts';
import { ownerAndViewer, refusedByClient, useFake } from './kit.ts';

const fake = useFake();

const den = () => new UserFileClient({ baseUrl: fake().url, retryMinWait: 0, retryMaxWait: 0 });
const text = async (body: ReadableStream<Uint8Array>) => new Response(body).text();

const team = () => ownerAndViewer(fake(), 'den');

describe('UserFileClient', () => {
  it('uploads with the bearer token into the token’s organisation; get, list, url and download read it back', async () => {
    const { owner, ownerToken } = await team();
    const file = await den().upload(ownerToken, {
      data: new Blob(['quarterly numbers'], { type: 'text/csv' }),
      filename: 'q1.csv',
      folderPath: '/reports',
      tags: ['finance', 'q1'],
    });
    const sent = fake().recorder.last()!;
    expect(sent.path).toBe('/api/v1/files');
    expect(sent.query).toEqual({ folder_path: '/reports', is_public: 'false', tags: ['finance', 'q1'] });
    expect(sent.headers['authorization']).toBe(`Bearer ${ownerToken}`);
    expect(sent.headers['x-service-api-key']).toBeUndefined();
    expect(file).toMatchObject({
      organizationId: owner.organizationId,
      name: 'q1.csv',
      contentType: 'text/csv',
      sizeBytes: 17,
      folderPath: '/reports',
      createdByUserId: owner.id,
      createdByAgent: null,
      isTemporary: false,
    });

    expect(await den().getFile(ownerToken, file.id)).toEqual(file);
    const listed = await den().listFiles(ownerToken, { folderPath: '/reports', tags: ['finance'] });
    expect(listed).toMatchObject({ total: 1, limit: 100, offset: 0 });
    expect(listed.files.map((f) => f.id)).toEqual([file.id]);
    expect((await den().listFiles(ownerToken, { search: 'Q1' })).total).toBe(1);
    expect((await den().listFiles(ownerToken, { folderPath: '/other' })).total).toBe(0);
    const url = await den().getDownloadUrl(ownerToken, file.id, { expiresIn: 60 });
    expect(url).toMatch(/^file:\/\/.+#expires=\d+$/);
    const got = await den().download(ownerToken, file.id);
    expect(got).toEqual(
      expect.objectContaining({ contentType: 'text/csv', filename: 'q1.csv', sizeBytes: undefined }),
    );
    expect(await text(got.body)).toBe('quarterly numbers');
    // Default folder is the root.
    const root = await den().upload(ownerToken, { data: new Uint8Array([1, 2, 3]), filename: 'raw.bin' });
    expect(root.folderPath).toBe('/');
  });

  it('duplicate, move and delete (soft by default, hard frees the quota)', async () => {
    const { owner, ownerToken } = await team();
    const file = await den().upload(ownerToken, { data: new Blob(['abc']), filename: 'a.txt' });
    const copy = await den().duplicate(ownerToken, file.id, { newFolder: '/copies' });
    expect(copy).toMatchObject({ name: 'Copy of a.txt', folderPath: '/copies', createdByUserId: null });
    const moved = await den().move(ownerToken, copy.id, { newFolder: 'archive/', newName: 'b.txt' });
    expect(moved).toMatchObject({ name: 'b.txt', folderPath: '/archive' });
    await expect(den().move(ownerToken, copy.id, {})).rejects.toSatisfy(refusedByClient);

    const used = fake().organizations.get(owner.organizationId)!.usedBytes;
    await den().delete(ownerToken, file.id);
    expect(fake().recorder.last()!.query).toEqual({});
    await expect(den().getFile(ownerToken, file.id)).rejects.toSatisfy((e) =>
      ResourceNotFoundError.isInstance(e),
    );
    expect(fake().organizations.get(owner.organizationId)!.usedBytes).toBe(used);
    await den().delete(ownerToken, copy.id, { hardDelete: true });
    expect(fake().recorder.last()!.query).toEqual({ hard_delete: 'true' });
    expect(fake().files.has(copy.id)).toBe(false);
    expect(fake().organizations.get(owner.organizationId)!.usedBytes).toBe(used - 3);
  });

  it('each route needs its files:* permission: a viewer reads but may not create, move or delete', async () => {
    const { ownerToken, viewerToken } = await team();
    const file = await den().upload(ownerToken, { data: new Blob(['x']), filename: 'x.txt' });
    expect((await den().getFile(viewerToken, file.id)).id).toBe(file.id);
    expect(await text((await den().download(viewerToken, file.id)).body)).toBe('x');
    const refusals: Array<[() => Promise<unknown>, string]> = [
      [() => den().upload(viewerToken, { data: new Blob(['y']), filename: 'y.txt' }), 'files:create'],
      [() => den().duplicate(viewerToken, file.id), 'files:create'],
      [() => den().move(viewerToken, file.id, { newName: 'z.txt' }), 'files:manage'],
      [() => den().delete(viewerToken, file.id), 'files:delete'],
    ];
    for (const [call, pair] of refusals) {
      const error = await call().catch((e: unknown) => e);
      expect(PermissionDeniedError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(`Permission denied: ${pair}`);
    }
    expect(fake().files.get(file.id)?.name).toBe('x.txt');
  });

  it('the permission comes before the request is read: no file part is a 403 for a viewer, a 422 for the owner', async () => {
    const { ownerToken, viewerToken } = await team();
    const post = (token: string) =>
      fetch(`${fake().url}/api/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x--\r\n',
      });
    expect((await post(viewerToken)).status).toBe(403);
    const owner = await post(ownerToken);
    expect(owner.status).toBe(422);
    expect(await owner.json()).toMatchObject({ detail: [{ loc: ['body', 'file'], msg: 'Field required' }] });
    const anonymous = await fetch(`${fake().url}/api/v1/files?limit=5000`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ detail: 'Authentication required' });
  });

  it('another organisation’s file is not found; an agent upload is visible to the organisation’s users', async () => {
    const a = await team();
    const b = await team();
    const file = await den().upload(a.ownerToken, { data: new Blob(['secret']), filename: 's.txt' });
    for (const call of [
      () => den().getFile(b.ownerToken, file.id),
      () => den().download(b.ownerToken, file.id),
      () => den().getDownloadUrl(b.ownerToken, file.id),
      () => den().delete(b.ownerToken, file.id),
    ])
      await expect(call()).rejects.toSatisfy((e) => ResourceNotFoundError.isInstance(e));
    const agent = new FileClient({ baseUrl: fake().url, serviceApiKey: fake().serviceApiKey });
    const made = await agent.upload({
      orgId: a.owner.organizationId,
      workflowId: 'wf-1',
      agentId: 'writer',
      data: new Blob(['from an agent']),
      filename: 'agent.txt',
    });
    expect((await den().getFile(a.viewerToken, made.id)).createdByAgent).toBe('workflow:wf-1:agent:writer');
    // Temporary files are not listed on the user route.
    await agent.upload({
      orgId: a.owner.organizationId,
      workflowId: 'wf-1',
      agentId: 'writer',
      data: new Blob(['tmp']),
      filename: 'tmp.txt',
      isTemporary: true,
    });
    const names = (await den().listFiles(a.viewerToken)).files.map((f) => f.name);
    expect(names).toContain('agent.txt');
    expect(names).not.toContain('tmp.txt');
  });

  it('refuses bad input before any request; an invalid token is a 401', async () => {
    const { ownerToken } = await team();
    const before = fake().recorder.requests.length;
    for (const call of [
      () => den().getFile(ownerToken, '../agent/list'),
      () => den().download('', '00000000-0000-4000-8000-000000000000'),
      () => den().getDownloadUrl(ownerToken, '00000000-0000-4000-8000-000000000000', { expiresIn: 0 }),
      () => den().listFiles(ownerToken, { limit: 1001 }),
      () => den().upload(ownerToken, { data: new Blob(['x']), filename: '' }),
    ])
      await expect(call()).rejects.toSatisfy(refusedByClient);
    expect(fake().recorder.requests.length).toBe(before);
    await expect(den().listFiles('not-a-token')).rejects.toSatisfy((e) => AuthenticationError.isInstance(e));
  });
});

describe('progress callbacks on Den uploads and downloads', () => {
  const size = 6 * 1024 * 1024 + 123;
  const bytes = () => {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) data[i] = i % 251;
    return data;
  };
  const recorder = () => {
    const seen: TransferProgress[] = [];
    return { seen, on: (p: TransferProgress) => seen.push({ ...p }) };
  };
  /**
   * Progress reports only grow and end with percent 1 at `atLeast` bytes or more; with a known total they
   * pass through fractions and end at the total.
   */
  function expectProgressTo(seen: TransferProgress[], atLeast: number) {
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.transferredBytes).toBeGreaterThanOrEqual(seen[i - 1]!.transferredBytes);
    const last = seen.at(-1)!;
    expect(last.percent).toBe(1);
    expect(last.transferredBytes).toBeGreaterThanOrEqual(atLeast);
    expect(last.transferredBytes).toBe(last.totalBytes);
    if (seen[0]!.totalBytes > 0) expect(seen.some((p) => p.percent > 0 && p.percent < 1)).toBe(true);
  }

  it('a user upload and download of 6 MiB report increasing bytes up to the total', async () => {
    const { ownerToken } = await team();
    const up = recorder();
    const file = await den().upload(
      ownerToken,
      { data: new Blob([bytes()]), filename: 'big.bin' },
      { onUploadProgress: up.on },
    );
    expect(file.sizeBytes).toBe(size);
    expectProgressTo(up.seen, size); // the multipart body: the file plus its part headers
    expect(up.seen.at(-1)!.totalBytes).toBeGreaterThan(size); // a Blob's form has a known size
    const down = recorder();
    const got = await den().download(ownerToken, file.id, { onDownloadProgress: down.on });
    expect((await new Response(got.body).arrayBuffer()).byteLength).toBe(size);
    // Den sends no Content-Length (a streamed answer, as upstream), so the total is unknown until the end.
    expectProgressTo(down.seen, size);
    expect(down.seen.at(-1)!.transferredBytes).toBe(size);
    expect(down.seen[0]!.totalBytes).toBe(0);
  });

  it('a streamed upload (a ReadableStream, size unknown) reports its bytes as they are sent', async () => {
    const { ownerToken } = await team();
    const mib = new Uint8Array(1024 * 1024).fill(7);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 3) return controller.close();
        sent++;
        controller.enqueue(mib);
      },
    });
    const up = recorder();
    const file = await den().upload(
      ownerToken,
      { data: stream, filename: 'streamed.bin' },
      { onUploadProgress: up.on },
    );
    expect(file.sizeBytes).toBe(3 * mib.length);
    expect(up.seen.length).toBeGreaterThan(2);
    for (let i = 1; i < up.seen.length; i++)
      expect(up.seen[i]!.transferredBytes).toBeGreaterThanOrEqual(up.seen[i - 1]!.transferredBytes);
    expect(up.seen.at(-1)).toMatchObject({ percent: 1 });
    expect(up.seen.at(-1)!.transferredBytes).toBeGreaterThanOrEqual(3 * mib.length);
  });

  it('an agent upload and download (FileClient) report progress the same way', async () => {
    const org = fake().seed.organization({ name: `Progress ${Math.random()}` });
    const agent = new FileClient({ baseUrl: fake().url, serviceApiKey: fake().serviceApiKey });
    const up = recorder();
    const file = await agent.upload(
      { orgId: org.id, workflowId: 'wf', agentId: 'a', data: bytes(), filename: 'big.bin' },
      { onUploadProgress: up.on },
    );
    expect(file.sizeBytes).toBe(size);
    expectProgressTo(up.seen, size);
    const down = recorder();
    const got = await agent.download(org.id, file.id, { onDownloadProgress: down.on });
    expect((await new Response(got.body).arrayBuffer()).byteLength).toBe(size);
    expectProgressTo(down.seen, size);
  });
});
