import type { BusEvents, Topic } from './BusEvents.js';

/** Receives one payload of a topic. */
export type Listener<T extends Topic> = (payload: BusEvents[T]) => void;

/** Called when a listener throws; the bus carries on with the next listener. */
export type ListenerErrorHandler = (error: unknown, topic: Topic) => void;

/**
 * Synchronous, typed, in-process publish/subscribe. Delivery happens inside
 * `publish`, in subscription order; a throwing listener is isolated (reported to
 * `onListenerError`) so one faulty consumer cannot stop the data path.
 */
export class EventBus {
  private readonly listeners = new Map<Topic, Listener<Topic>[]>();

  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {}

  /** Subscribes to a topic; returns the function that unsubscribes. */
  subscribe<T extends Topic>(topic: T, listener: Listener<T>): () => void {
    const list = this.listeners.get(topic) ?? [];
    list.push(listener as Listener<Topic>);
    this.listeners.set(topic, list);
    return () => {
      const current = this.listeners.get(topic);
      if (!current) return;
      const i = current.indexOf(listener as Listener<Topic>);
      if (i >= 0) current.splice(i, 1);
    };
  }

  /** Delivers a payload to every listener of the topic, now. */
  publish<T extends Topic>(topic: T, payload: BusEvents[T]): void {
    const list = this.listeners.get(topic);
    if (!list || list.length === 0) return;
    for (const listener of list.length === 1 ? list : [...list]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error, topic);
      }
    }
  }

  /** Number of listeners of a topic (for status and tests). */
  listenerCount(topic: Topic): number {
    return this.listeners.get(topic)?.length ?? 0;
  }
}
