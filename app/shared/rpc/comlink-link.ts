/**
 * comlink over a `MessageLink`: `exposeOnLink` serves an object, `wrapLink` calls one. The
 * workbench uses both on each end of one link (service one way, events the other).
 */
import * as Comlink from 'comlink';
import { boundedReply, judgeRequest, refusalReply, serviceMethods } from './call-guard.ts';
import { endpointFromLink, type MessageLink } from './endpoint.ts';

/** A proxy whose methods return promises of what the real ones return. */
export type Remote<T> = Comlink.Remote<T>;

/**
 * Serves the methods of `target` to the other end of `link`: only calls of its own methods with
 * plain data arrive (see call-guard.ts), and errors go back bounded and without stacks.
 *
 * @example
 * exposeOnLink(Object.freeze({ listNotebooks: async () => [] }), link);
 */
export function exposeOnLink(target: object, link: MessageLink): void {
  const methods = serviceMethods(target);
  const guarded: MessageLink = {
    send: (message) => link.send(boundedReply(message)),
    listen: (listener) =>
      link.listen((message) => {
        const verdict = judgeRequest(message, methods);
        if (verdict.accept) listener(message);
        else if (!verdict.ignore && verdict.id !== undefined) link.send(refusalReply(verdict.id, verdict.reason));
      }),
  };
  Comlink.expose(target, endpointFromLink(guarded) as unknown as Comlink.Endpoint);
}

/**
 * A proxy for the object served at the other end of `link`.
 *
 * @example
 * const service = wrapLink<WorkbenchService>(link);
 * const notebooks = await service.listNotebooks();
 */
export function wrapLink<T>(link: MessageLink): Remote<T> {
  return Comlink.wrap<T>(endpointFromLink(link) as unknown as Comlink.Endpoint);
}
