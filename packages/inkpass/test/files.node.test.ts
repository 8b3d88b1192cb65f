// FileClient against the fake Den over real sockets: every call's wire, streaming in both directions, the
// 100 MiB limit, quota, temporary-file expiry, the delete rule, and path-traversal attempts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileClient,
  InkPassError,
  PermissionDeniedError,
  ResourceNotFoundError,
  ValidationError,
} from '../src/index.ts';
import { fileFromPath } from '../src/node/index.ts';
import { startFakeInkPass } from '../src/testing/index.ts';
import { useFake } from './kit.ts';

const fake = useFake();

function filesFor(config: { maxFileSizeBytes?: number } = {}) {
  return new FileClient({
    baseUrl: fake().url,
    serviceApiKey: fake().serviceApiKey,
    retryMinWait: 0,
    retryMaxWait: 0,
    ...config,
  });
}

const text = async (body: ReadableStream<Uint8Array>) => new Response(body).text();
const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

function newOrg(quotaBytes?: number) {
  return fake().seed.organization({ name: `Den ${Math.random()}`, ...(quotaBytes ? { quotaBytes } : {}) });
}

describe('upload, get, download, url, list, delete', () => {
  it('uploads bytes with every option on the query and one multipart part named file', async () => {
    const files = filesFor();
    const org = newOrg();
    const file = await files.upload({
      orgId: org.id,
      workflowId: 'wf-123',
      agentId: 'image-gen',
      data: new TextEncoder().encode('hello den'),
      filename: 'generated-image.png',
      contentType: 'image/png',
      folderPath: '/agent-outputs',
      tags: ['generated', 'marketing'],
      isPublic: true,
    });
    const sent = fake().recorder.last()!;
    expect(sent.query).toEqual({
      org_id: org.id,
      workflow_id: 'wf-123',
      agent_id: 'image-gen',
      folder_path: '/agent-outputs',
      is_public: 'true',
      is_temporary: 'false',
      tags: ['generated', 'marketing'],
    });
    expect(sent.headers['x-service-api-key']).toBe(fake().serviceApiKey);
    expect(sent.headers['authorization']).toBeUndefined();
    expect(sent.headers['x-api-key']).toBeUndefined();
    expect(sent.body).toContain('name="file"; filename="generated-image.png"');
    expect(file).toMatchObject({
      organizationId: org.id,
      name: 'generated-image.png',
      contentType: 'image/png',
      sizeBytes: 9,
      folderPath: '/agent-outputs',
      tags: ['generated', 'marketing'],
      createdByAgent: 'workflow:wf-123:agent:image-gen',
      workflowId: 'wf-123',
      isPublic: true,
      isTemporary: false,
      status: 'active',
      // sha256("hello den")
      checksumSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(file.storageKey).toMatch(new RegExp(`^${org.id}/agent-outputs/[0-9a-f]{8}_generated-image.png$`));

    expect(await files.getFile(org.id, file.id)).toEqual({ ...file, cdnUrl: null });
    const download = await files.download(org.id, file.id, { agentId: 'image-gen' });
    // Den streams the content without a Content-Length, as upstream's StreamingResponse: no size here.
    expect(download).toEqual(
      expect.objectContaining({
        contentType: 'image/png',
        filename: 'generated-image.png',
        sizeBytes: undefined,
      }),
    );
    expect(await text(download.body)).toBe('hello den');
    expect(fake().recorder.last()!.query).toEqual({ org_id: org.id, agent_id: 'image-gen' });
    expect(fake().recorder.last()!.headers['content-type']).toBeUndefined();

    const url = await files.getDownloadUrl(org.id, file.id, { expiresIn: 60 });
    expect(url).toMatch(/^file:\/\/.+#expires=\d+$/);
    expect(fake().recorder.last()!.query).toEqual({ org_id: org.id, expires_in: '60' });

    expect(await files.delete(org.id, file.id, 'image-gen')).toBe(true);
    await expect(files.getFile(org.id, file.id)).rejects.toSatisfy((e) =>
      ResourceNotFoundError.isInstance(e),
    );
  });

  it('streams a ReadableStream upload and a file-backed Blob from disk; non-ASCII names survive', async () => {
    const files = filesFor();
    const org = newOrg();
    const streamed = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'a',
      data: streamOf('part one, ', 'part two'),
      filename: 'Résumé "final".txt',
      contentType: 'text/plain',
    });
    expect(streamed).toMatchObject({ name: 'Résumé %22final%22.txt', sizeBytes: 18 });
    // A streamed (unsized) upload is recorded without its body, so the fake never holds a whole file.
    expect(fake().recorder.last()).toMatchObject({ path: '/api/v1/files/agent', body: '', bodyBytes: -1 });
    const got = await files.download(org.id, streamed.id);
    expect(await text(got.body)).toBe('part one, part two');
    expect(got.filename).toBe('Résumé %22final%22.txt');

    const dir = await mkdtemp(join(tmpdir(), 'inkpass-test-'));
    try {
      const path = join(dir, 'report.json');
      await writeFile(path, '{"ok":true}');
      const fromDisk = await files.upload({
        orgId: org.id,
        workflowId: 'wf',
        agentId: 'a',
        ...(await fileFromPath(path, { contentType: 'application/json' })),
      });
      expect(fromDisk).toMatchObject({ name: 'report.json', contentType: 'application/json', sizeBytes: 11 });
      expect(await readFile(join(fake().storageDir, fromDisk.id), 'utf8')).toBe('{"ok":true}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists with filters (folder exact, all tags, workflow) and pagination, newest first', async () => {
    const files = filesFor();
    const org = newOrg();
    const up = async (name: string, folderPath: string, tags: string[], workflowId = 'wf-1') => {
      const f = await files.upload({
        orgId: org.id,
        workflowId,
        agentId: 'a',
        data: new Uint8Array([1]),
        filename: name,
        folderPath,
        tags,
      });
      fake().clock.advance(1000);
      return f;
    };
    await up('a.txt', '/out', ['x']);
    await up('b.txt', '/out', ['x', 'y']);
    await up('c.txt', '/out/sub', ['x', 'y']);
    await up('d.txt', '/out', ['y'], 'wf-2');
    const names = (l: { files: Array<{ name: string }> }) => l.files.map((f) => f.name);
    expect(names(await files.listFiles({ orgId: org.id }))).toEqual(['d.txt', 'c.txt', 'b.txt', 'a.txt']);
    expect(names(await files.listFiles({ orgId: org.id, folderPath: '/out' }))).toEqual([
      'd.txt',
      'b.txt',
      'a.txt',
    ]);
    expect(names(await files.listFiles({ orgId: org.id, tags: ['x', 'y'] }))).toEqual(['c.txt', 'b.txt']);
    expect(fake().recorder.last()!.query['tags']).toEqual(['x', 'y']);
    expect(names(await files.listFiles({ orgId: org.id, workflowId: 'wf-2' }))).toEqual(['d.txt']);
    const page = await files.listFiles({ orgId: org.id, limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(names(page)).toEqual(['c.txt', 'b.txt']);
    await expect(files.listFiles({ orgId: org.id, limit: 5000 })).rejects.toSatisfy((e) =>
      ValidationError.isInstance(e),
    );
  });

  it('duplicate, move, rename', async () => {
    const files = filesFor();
    const org = newOrg();
    const f = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'a',
      data: new Uint8Array([1, 2]),
      filename: 'x.bin',
      folderPath: '/a',
      tags: ['t'],
    });
    const copy = await files.duplicate(org.id, f.id, 'a');
    expect(copy).toMatchObject({
      name: 'Copy of x.bin',
      folderPath: '/a',
      tags: ['t'],
      createdByAgent: 'agent:a',
      workflowId: null,
    });
    expect(org.usedBytes).toBe(4);
    const moved = await files.move(org.id, f.id, { newFolder: 'b/' });
    expect(moved.folderPath).toBe('/b');
    expect((await files.rename(org.id, f.id, 'y.bin')).name).toBe('y.bin');
    await expect(files.move(org.id, f.id, {})).rejects.toSatisfy((e) => ValidationError.isInstance(e));
  });
});

describe('rules and limits', () => {
  it('an oversize Blob or bytes are refused before sending; an oversize stream is stopped at the limit', async () => {
    const files = filesFor({ maxFileSizeBytes: 10 });
    const org = newOrg();
    const base = { orgId: org.id, workflowId: 'wf', agentId: 'a', filename: 'big.bin' };
    await expect(files.upload({ ...base, data: new Uint8Array(11) })).rejects.toSatisfy((e) =>
      ValidationError.isInstance(e),
    );
    await expect(files.upload({ ...base, data: new Blob([new Uint8Array(11)]) })).rejects.toThrow(
      '10-byte limit',
    );
    expect(fake().recorder.requests).toHaveLength(0);
    const error = await files.upload({ ...base, data: streamOf('123456', '789012') }).catch((e) => e);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.message).toContain('10-byte limit');
    expect([...fake().files.values()].filter((f) => f.organizationId === org.id)).toHaveLength(0);
  });

  it('the server enforces 100 MiB with its own 413 message', async () => {
    const small = await startFakeInkPass({ maxFileSizeBytes: 5 });
    try {
      const files = new FileClient({
        baseUrl: small.url,
        serviceApiKey: small.serviceApiKey,
        retryMinWait: 0,
        retryMaxWait: 0,
      });
      const org = small.seed.organization({ name: 'Tiny' });
      const error = await files
        .upload({ orgId: org.id, workflowId: 'wf', agentId: 'a', data: new Uint8Array(6), filename: 'x' })
        .catch((e) => e);
      expect(InkPassError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 413, message: 'File too large. Maximum size is 5 bytes' });
      expect(org.usedBytes).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('the per-organisation quota is enforced (413 with used/quota/file)', async () => {
    const files = filesFor();
    const org = newOrg(10);
    const base = { orgId: org.id, workflowId: 'wf', agentId: 'a', filename: 'q.bin' };
    await files.upload({ ...base, data: new Uint8Array(8) });
    const error = await files.upload({ ...base, data: new Uint8Array(3) }).catch((e) => e);
    expect(error).toMatchObject({
      statusCode: 413,
      message: 'Storage quota exceeded. Used: 8, Quota: 10, File: 3',
    });
  });

  it('temporary files expire on the fake clock: gone from get, list and download, usage freed', async () => {
    const files = filesFor();
    const org = newOrg();
    const f = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'proc',
      data: new Uint8Array(5),
      filename: 'temp-result.json',
      isTemporary: true,
      expiresInHours: 24,
    });
    expect(fake().recorder.last()!.query['expires_in_hours']).toBe('24');
    expect(f.isTemporary).toBe(true);
    expect(Date.parse(`${f.expiresAt}Z`) - Date.parse(`${f.createdAt}Z`)).toBe(24 * 3_600_000);
    fake().clock.advance(23 * 3_600_000);
    expect((await files.getFile(org.id, f.id)).id).toBe(f.id);
    fake().clock.advance(3_600_000);
    await expect(files.getFile(org.id, f.id)).rejects.toSatisfy((e) => ResourceNotFoundError.isInstance(e));
    await expect(files.download(org.id, f.id)).rejects.toMatchObject({ message: 'File not found' });
    expect((await files.listFiles({ orgId: org.id })).files).toEqual([]);
    expect(org.usedBytes).toBe(0);
    await expect(
      files.upload({
        orgId: org.id,
        workflowId: 'wf',
        agentId: 'a',
        data: new Uint8Array(1),
        filename: 'x',
        isTemporary: true,
        expiresInHours: 0,
      }),
    ).rejects.toSatisfy((e) => ValidationError.isInstance(e));
  });

  it('an agent may delete only its own or temporary files; soft delete keeps usage', async () => {
    const files = filesFor();
    const org = newOrg();
    const mine = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'owner-agent',
      data: new Uint8Array(4),
      filename: 'm',
    });
    const error = await files.delete(org.id, mine.id, 'other-agent').catch((e) => e);
    expect(PermissionDeniedError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Agent can only delete its own files or temporary files');
    await files.delete(org.id, mine.id, 'owner-agent');
    expect(fake().files.get(mine.id)?.status).toBe('deleted');
    expect(org.usedBytes).toBe(4);
    const temp = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'x',
      data: new Uint8Array(2),
      filename: 't',
      isTemporary: true,
    });
    await files.delete(org.id, temp.id, 'someone-else');
    expect(fake().files.has(temp.id)).toBe(false);
    expect(org.usedBytes).toBe(4);
  });

  it('a wrong service key is refused; a missing one is a ValidationError at construction', async () => {
    const wrong = new FileClient({ baseUrl: fake().url, serviceApiKey: 'sk_wrong', maxRetries: 0 });
    const error = await wrong.listFiles({ orgId: newOrg().id }).catch((e) => e);
    expect(error).toMatchObject({ statusCode: 401, message: 'Invalid service API key' });
    expect(() => new FileClient({ baseUrl: fake().url })).toThrow(
      'Service API key is required for file operations',
    );
  });

  it('path traversal: ids must be UUIDs; a traversal filename is stored as a name, never as a path', async () => {
    const files = filesFor();
    const org = newOrg();
    for (const bad of [
      '../../etc/passwd',
      '..',
      '.',
      '',
      '%2e%2e',
      `${crypto.randomUUID()}/../x`,
      `${crypto.randomUUID()}%2F..`,
      'a\\b',
      'a?org_id=x',
      'a#b',
    ]) {
      await expect(files.getFile(org.id, bad)).rejects.toSatisfy((e) => ValidationError.isInstance(e));
      await expect(files.download(org.id, bad)).rejects.toSatisfy((e) => ValidationError.isInstance(e));
    }
    await expect(files.listFiles({ orgId: '../x' })).rejects.toSatisfy((e) => ValidationError.isInstance(e));
    expect(fake().recorder.requests).toHaveLength(0);
    const f = await files.upload({
      orgId: org.id,
      workflowId: 'wf',
      agentId: 'a',
      data: new Uint8Array([7]),
      filename: '../../escape.txt',
    });
    expect(f.name).toBe('../../escape.txt');
    expect(fake().files.get(f.id)!.path).toBe(join(fake().storageDir, f.id));
  });

  it("uploads go out with redirect: 'error' (so Node's fetch does not tee, i.e. buffer, the body); other calls do not", async () => {
    const seen: Array<[string, RequestRedirect | undefined]> = [];
    const files = new FileClient({
      baseUrl: fake().url,
      serviceApiKey: fake().serviceApiKey,
      fetch: (input, init) => {
        seen.push([init.method ?? 'GET', init.redirect]);
        return fetch(input, init);
      },
    });
    const org = newOrg();
    const base = { orgId: org.id, workflowId: 'wf', agentId: 'a', filename: 'r' };
    const f = await files.upload({ ...base, data: streamOf('streamed') });
    await files.upload({ ...base, data: new Uint8Array([1]) });
    await files.getFile(org.id, f.id);
    expect(seen).toEqual([
      ['POST', 'error'],
      ['POST', 'error'],
      ['GET', undefined],
    ]);
  });

  it("another organisation's file is not found", async () => {
    const files = filesFor();
    const a = newOrg();
    const b = newOrg();
    const f = await files.upload({
      orgId: a.id,
      workflowId: 'wf',
      agentId: 'a',
      data: new Uint8Array([1]),
      filename: 'a',
    });
    await expect(files.getFile(b.id, f.id)).rejects.toMatchObject({
      statusCode: 404,
      message: 'File not found',
    });
  });
});
