/**
 * What a conversion could not carry over, and what leaving it out does to policy: `restricts` (the
 * field narrowed access: a port, header filters, TCPRoute ports), `grants` (it allowed something: a
 * UDPRoute rule), `routes` (it shaped a split), `value` (a value with no counterpart).
 */
export interface Loss {
  readonly text: string;
  readonly effect: 'restricts' | 'grants' | 'routes' | 'value';
}
