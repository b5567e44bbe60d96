/**
 * comlink over a `MessageLink`: `exposeOnLink` serves an object, `wrapLink` calls one. The
 * workbench uses both on each end of one link (service one way, events the other).
 */
import * as Comlink from 'comlink';
import { boundedReply, judgeRequest, refusalReply, serviceMethods, type GuardOptions } from './call-guard.ts';
import { endpointFromLink, type MessageLink } from './endpoint.ts';

/** A proxy whose methods return promises of what the real ones return. */
export type Remote<T> = Comlink.Remote<T>;

/**
 * Serves the methods of `target` to the other end of `link`: only calls of its own methods with
 * plain data within `options.maxBytes` arrive (see call-guard.ts), and errors go back bounded,
 * without stacks and without the install's paths.
 *
 * @example
 * exposeOnLink(Object.freeze({ listNotebooks: async () => [] }), link, { installPaths: ['/opt/weir'] });
 */
export function exposeOnLink(target: object, link: MessageLink, options: GuardOptions = {}): void {
  const methods = serviceMethods(target);
  const guarded: MessageLink = {
    send: (message) => link.send(boundedReply(message, options)),
    listen: (listener) =>
      link.listen((message) => {
        const verdict = judgeRequest(message, methods, options.maxBytes);
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
