/**
 * A mesh's own flag, declared once in its folder: the CLI builds the commander option from it,
 * refuses it where it does not apply, and install writes it back into the controller's arguments.
 */
import type { TranslateOptions } from './target.js';

export interface MeshOption {
  /** The flag without its dashes: `linkerd-default-policy`. */
  readonly flag: string;
  /** The value's name in help (`<policy>`); absent for a switch. */
  readonly value?: string;
  readonly choices?: readonly string[];
  readonly description: string;
  /**
   * 'mesh': only when its mesh is the target. 'authorization': also wherever another target writes
   * this mesh's authorization resources (Target.authorization).
   */
  readonly appliesTo: 'mesh' | 'authorization';
  /** It chooses whose authorization a composing target writes (gateway-api's --authz): its choices are mesh names. */
  readonly selectsAuthorization?: boolean;
  /** The options it sets from its value (true for a switch). */
  readonly set: (value: string | true) => Partial<TranslateOptions>;
  /** Its value in these options, to write it back as arguments; undefined when unset. */
  readonly get: (options: TranslateOptions) => string | true | undefined;
  /** Why it cannot go with the other options, when it cannot. */
  readonly refuse?: (options: TranslateOptions) => string | undefined;
}

/** `linkerd-default-policy` → `linkerdDefaultPolicy`, the key commander stores it under. */
export const flagKey = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
