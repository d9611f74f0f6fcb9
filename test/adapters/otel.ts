import { AsyncLocalStorage } from "node:async_hooks";
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager, type Span } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";

/** OpenTelemetry's context on Node's AsyncLocalStorage, as `@opentelemetry/context-async-hooks` provides it. */
class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

/** Runs `fn` inside an active span of a real OpenTelemetry SDK tracer; returns the span and fn's result. */
export async function withActiveSpan<T>(fn: () => Promise<T>): Promise<{ span: Span; result: T }> {
  const manager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  try {
    return await trace.getTracer("purpose-guard-test").startActiveSpan("support-turn", async (span) => {
      try {
        return { span, result: await fn() };
      } finally {
        span.end();
      }
    });
  } finally {
    trace.disable();
    context.disable();
  }
}
