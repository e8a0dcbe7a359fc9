/**
 * S3's `sequencer`: the hexadecimal value that orders the events of one object key.
 *
 * AWS ("Event message structure", S3 user guide): "The sequencers can be of different lengths. To
 * compare these values, first right pad the shorter value with zeros, and then do a lexicographical
 * comparison." The padding is on the right: a sequencer is a prefix-ordered token, not a number, so
 * `"0055AED6DCD90281E5"` is compared as if the shorter one were followed by zeros. Hex digits are
 * compared case-insensitively (native notifications write upper case, EventBridge lower case).
 *
 * Pure: no AWS import.
 */

const HEX = /^[0-9a-fA-F]+$/;

/**
 * The width every sequencer is right-padded to by {@link sequencerSortKey}. Real sequencers are
 * 16–18 hex digits; 64 leaves a wide margin.
 */
export const SEQUENCER_SORT_KEY_WIDTH = 64;

function checked(value: string, where: string): string {
  if (!HEX.test(value)) {
    throw new Error(
      `${where} ${JSON.stringify(value)} is not a hexadecimal S3 sequencer; ` +
        `pass s3.object.sequencer (or detail.object.sequencer) exactly as the event carries it.`,
    );
  }
  return value.toUpperCase();
}

/**
 * Orders two sequencers of the same object key: negative when `a` is older, positive when newer,
 * 0 when they are the same event. The shorter value is right-padded with zeros first, as AWS
 * documents.
 *
 * @param a - a sequencer from one event, e.g. `"0055AED6DCD90281E5"`.
 * @param b - a sequencer from another event on the same key.
 * @throws Error naming the argument that is not hexadecimal.
 */
export function compareSequencers(a: string, b: string): number {
  const x = checked(a, "compareSequencers: argument a");
  const y = checked(b, "compareSequencers: argument b");
  const width = Math.max(x.length, y.length);
  const px = x.padEnd(width, "0");
  const py = y.padEnd(width, "0");
  return px < py ? -1 : px > py ? 1 : 0;
}

/**
 * True when `candidate` happened after `current` on the same key; true as well when there is no
 * `current` yet (nothing recorded is older than anything).
 *
 * @param candidate - the sequencer of the event being processed.
 * @param current - the last sequencer recorded for the key, if any.
 */
export function isNewer(candidate: string, current: string | undefined): boolean {
  return current === undefined || compareSequencers(candidate, current) > 0;
}

/**
 * A string that sorts, as a plain string, exactly as {@link compareSequencers} orders sequencers:
 * upper-cased and right-padded with zeros to {@link SEQUENCER_SORT_KEY_WIDTH}. Stored next to a
 * record, it lets a database condition (`#seq < :seq`) enforce the order.
 *
 * @param sequencer - the event's sequencer.
 * @throws Error when the sequencer is not hexadecimal or longer than the sort-key width.
 */
export function sequencerSortKey(sequencer: string): string {
  const value = checked(sequencer, "sequencerSortKey: argument");
  if (value.length > SEQUENCER_SORT_KEY_WIDTH) {
    throw new Error(
      `sequencerSortKey: sequencer ${JSON.stringify(sequencer)} has ${value.length} digits; ` +
        `at most ${SEQUENCER_SORT_KEY_WIDTH} are supported.`,
    );
  }
  return value.padEnd(SEQUENCER_SORT_KEY_WIDTH, "0");
}
