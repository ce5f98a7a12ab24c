import { describe, expect, it } from 'vitest';
import { SUBSCRIBER_META, SubscriberRegistry, subscriberOf } from './subscribers.js';

describe('SubscriberRegistry', () => {
  it('holds each subscriber’s URIs apart', () => {
    const registry = new SubscriberRegistry();
    registry.add('a', 'context://user-profile');
    registry.add('b', 'context://workspace-state');
    expect(registry.has('a', 'context://user-profile')).toBe(true);
    expect(registry.has('b', 'context://user-profile')).toBe(false);
    registry.remove('a', 'context://user-profile');
    expect(registry.has('a', 'context://user-profile')).toBe(false);
  });

  it('drops the oldest subscriber past 256', () => {
    const registry = new SubscriberRegistry();
    for (let i = 0; i <= 256; i++) registry.add(`s${i}`, 'u');
    expect(registry.has('s0', 'u')).toBe(false);
    expect(registry.has('s1', 'u')).toBe(true);
    expect(registry.has('s256', 'u')).toBe(true);
  });

  it('reads a subscriber from _meta (a string) or a capability ({ id }), refusing odd ones', () => {
    expect(subscriberOf({ [SUBSCRIBER_META]: 'sid' })).toBe('sid');
    expect(subscriberOf({ [SUBSCRIBER_META]: { id: 'sid' } })).toBe('sid');
    expect(subscriberOf({ [SUBSCRIBER_META]: '' })).toBeUndefined();
    expect(subscriberOf({ [SUBSCRIBER_META]: 'x'.repeat(201) })).toBeUndefined();
    expect(subscriberOf(undefined)).toBeUndefined();
  });
});
