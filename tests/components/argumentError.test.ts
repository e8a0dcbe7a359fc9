import { strict as assert } from "node:assert";
import {
  ArgumentError,
  argError,
  checkRange,
  componentOwner,
  exactlyOne,
  ownerError,
  routeOwner,
  routeSubject,
} from "../../components/argCheck";
import { sidPart } from "../../components/policyDocument";

/** The error `fn` throws. */
function thrown(fn: () => unknown): ArgumentError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ArgumentError, `threw ${String(e)}`);
    return e;
  }
  assert.fail("did not throw");
}

describe("argument errors", () => {
  it("name their owner the same way everywhere", () => {
    assert.equal(componentOwner("LambdaTarget", "resize"), 'LambdaTarget "resize"');
    assert.equal(routeOwner("uploads", "thumbs"), 'Bucket "uploads", route "thumbs"');
    assert.equal(routeOwner("audit", "deletes", "BucketEvents"), 'BucketEvents "audit", route "deletes"');
    assert.equal(routeSubject("uploads", "thumbs"), 'Route "thumbs" of bucket "uploads"');
  });

  it("carry the owner and the field, and read as plain Errors", () => {
    const owner = componentOwner("QueueTarget", "jobs");

    const one = argError(owner, "existing.url", `"x" is not a queue URL`, "Give the queue's URL.");
    const general = ownerError(owner, "give either a or b, not both.");

    assert.deepEqual(
      [one.owner, one.field, one.message],
      [
        'QueueTarget "jobs"',
        "existing.url",
        'QueueTarget "jobs": existing.url "x" is not a queue URL. Give the queue\'s URL.',
      ],
    );
    assert.deepEqual(
      [general.owner, general.field, general.message],
      ['QueueTarget "jobs"', undefined, 'QueueTarget "jobs": give either a or b, not both.'],
    );
    assert.ok(one instanceof Error);
    assert.equal(String(general), 'Error: QueueTarget "jobs": give either a or b, not both.');
  });

  it("come from the shared checks with their field", () => {
    const owner = componentOwner("QueueTarget", "jobs");

    const range = thrown(() => checkRange(owner, "maxReceiveCount", 3, 5, 1000));
    const one = thrown(() => exactlyOne(owner, { a: 1, b: 2 }, ["a", "b", "c"]));

    assert.deepEqual(
      [range.field, range.message],
      [
        "maxReceiveCount",
        'QueueTarget "jobs": maxReceiveCount must be a whole number from 5 to 1000, got 3.',
      ],
    );
    assert.deepEqual(
      [one.field, one.message],
      [undefined, 'QueueTarget "jobs": give exactly one of "a", "b" and "c".'],
    );
  });

  it("sidPart keeps a name's letters and digits, the first upper-case", () => {
    assert.equal(sidPart("my-uploads.2"), "Myuploads2");
    assert.equal(sidPart("thumbs"), "Thumbs");
  });
});
