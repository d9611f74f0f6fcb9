/**
 * A local stand-in for the OpenAI API that replays recorded responses, so the real `openai` SDK talks real HTTP on
 * loopback with no network and no key. Each request takes the next recorded response for its path, in order; every
 * request body is kept, so a caller can check exactly what the "model" was sent (a refusal, a redacted result).
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One recorded exchange: the path the SDK posts to, and the JSON the API answered. */
export interface Interaction {
  readonly request: { readonly path: string };
  readonly response: unknown;
}

export interface Cassette {
  readonly description?: string;
  readonly interactions: readonly Interaction[];
}

export interface RecordedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface ReplayServer {
  /** Base URL for the SDK (`new OpenAI({ baseURL })`), ending in `/v1`. */
  readonly baseURL: string;
  readonly requests: readonly RecordedRequest[];
  /** Interactions not replayed yet. */
  readonly remaining: number;
  close(): Promise<void>;
}

export async function loadCassette(path: string): Promise<Cassette> {
  const cassette = JSON.parse(await readFile(path, "utf8")) as Cassette;
  if (!Array.isArray(cassette.interactions)) throw new Error(`${path}: a cassette needs an \`interactions\` array`);
  return cassette;
}

/** Starts the server on 127.0.0.1 (an ephemeral port). */
export async function startReplayServer(cassette: Cassette): Promise<ReplayServer> {
  const queue = [...cassette.interactions];
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { error: { message: String(error), type: "replay_error" } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://replay").pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown>;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // 4xx: the SDK does not retry these, so a broken exchange fails the run at once.
      return send(res, 400, { error: { message: "the request body is not JSON", type: "invalid_request_error" } });
    }
    if (req.method !== "POST") return send(res, 405, { error: { message: `${req.method} ${path} is not replayed`, type: "invalid_request_error" } });
    if (body["stream"] === true) return send(res, 400, { error: { message: "streaming responses are not recorded in this cassette", type: "invalid_request_error" } });
    requests.push({ path, body });
    const next = queue[0];
    if (!next) return send(res, 400, { error: { message: `no recorded response left for ${path}`, type: "replay_exhausted" } });
    if (next.request.path !== path) return send(res, 400, { error: { message: `the next recorded response is for ${next.request.path}, not ${path}`, type: "replay_mismatch" } });
    queue.shift();
    send(res, 200, next.response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get remaining() {
      return queue.length;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-request-id": `req_replay_${Date.now().toString(36)}` });
  res.end(body);
}
