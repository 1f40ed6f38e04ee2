using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>One training step's images, as training-set indices.</summary>
/// <param name="Real">The real (unlabeled-loss) batch; empty for a baseline-only step.</param>
/// <param name="Labeled">Labeled images for the supervised loss (may be empty under the masked protocol).</param>
/// <param name="LabeledPositions">Masked protocol: where <paramref name="Labeled"/> sits inside <paramref name="Real"/>,
/// so the SGAN reuses the real batch's forward pass. Null under the streams protocol (labeled batch is separate).</param>
public sealed record Step(long[] Real, long[] Labeled, long[]? LabeledPositions);

/// <summary>
/// The order of images for every epoch, owned here rather than by a DataLoader: a host-side
/// Fisher-Yates shuffle seeded by (seed, epoch, stream), so SGAN and baseline with the same seed see
/// exactly the same batches, and every epoch has a new order.
/// <para><b>masked</b>: an epoch is one shuffled pass over all training images in batches; each batch's
/// labeled members feed the supervised loss. <b>streams</b>: an epoch is one pass over the unlabeled
/// pool; each step also draws a labeled batch of the same size, cycling over reshuffled labeled images.</para>
/// </summary>
public sealed class BatchSchedule
{
    readonly Protocol protocol;
    readonly int trainCount;
    readonly int batchSize;
    readonly int seed;
    readonly long[] labeled;
    readonly bool[] isLabeled;
    readonly long[] unlabeledPool;
    readonly long[] trainable; // every training image but the held-out ones

    /// <param name="heldOut">Training images never trained on (the validation split).</param>
    public BatchSchedule(Protocol protocol, int trainCount, int[] labeledIndices, bool labeledInUnlabeledPool, int batchSize, int seed,
        IReadOnlyCollection<int>? heldOut = null)
    {
        this.protocol = protocol;
        this.trainCount = trainCount;
        this.batchSize = batchSize;
        this.seed = seed;
        labeled = labeledIndices.Select(i => (long)i).ToArray();
        isLabeled = new bool[trainCount];
        foreach (int i in labeledIndices) isLabeled[i] = true;
        var excluded = new bool[trainCount];
        foreach (int i in heldOut ?? []) excluded[i] = true;
        trainable = Enumerable.Range(0, trainCount).Where(i => !excluded[i]).Select(i => (long)i).ToArray();
        unlabeledPool = trainable.Where(i => labeledInUnlabeledPool || !isLabeled[i]).ToArray();
    }

    /// <summary>The unlabeled pool: training images the unsupervised loss may see.</summary>
    public IReadOnlyList<long> UnlabeledPool => unlabeledPool;

    /// <summary>Steps per epoch (incomplete last batches are dropped so every step has a full real batch).</summary>
    public int StepsPerEpoch => (protocol == Protocol.Masked ? trainable.Length : unlabeledPool.Length) / batchSize;

    public IEnumerable<Step> Epoch(int epoch)
    {
        if (protocol == Protocol.Masked)
        {
            long[] order = Shuffled((long[])trainable.Clone(), epoch, 0);
            for (int s = 0; s < StepsPerEpoch; s++)
            {
                long[] real = order[(s * batchSize)..((s + 1) * batchSize)];
                var positions = Enumerable.Range(0, batchSize).Where(p => isLabeled[real[p]]).Select(p => (long)p).ToArray();
                yield return new Step(real, positions.Select(p => real[p]).ToArray(), positions);
            }
        }
        else
        {
            long[] order = Shuffled((long[])unlabeledPool.Clone(), epoch, 0);
            var labeledStream = LabeledCycle(epoch).GetEnumerator();
            for (int s = 0; s < StepsPerEpoch; s++)
            {
                var lab = new long[batchSize];
                for (int k = 0; k < batchSize; k++) { labeledStream.MoveNext(); lab[k] = labeledStream.Current; }
                yield return new Step(order[(s * batchSize)..((s + 1) * batchSize)], lab, null);
            }
        }
    }

    /// <summary>
    /// The epoch's steps as a method asks for them (<see cref="DataNeeds"/>): the protocol's steps as they are, or with full labeled
    /// batches from the labeled cycle in place of the protocol's labeled images, and with μ·B unlabeled images a step drawn from a
    /// cycle over the unlabeled pool (reshuffled every pass). Always <see cref="StepsPerEpoch"/> steps: every method takes as many.
    /// </summary>
    public IEnumerable<Step> Epoch(int epoch, DataNeeds needs)
    {
        if (needs.Labeled == LabeledSource.Protocol && needs.UnlabeledRatio == 1) return Epoch(epoch);
        if (needs.UnlabeledRatio > 1 && protocol == Protocol.Masked)
            throw new ArgumentException("an unlabeled ratio above 1 needs the streams protocol: a masked batch is the whole batch");
        return Steps();

        IEnumerable<Step> Steps()
        {
            var protocolSteps = Epoch(epoch).GetEnumerator();
            var labeledBatches = LabeledBatches(epoch).GetEnumerator();
            var unlabeledStream = needs.UnlabeledRatio > 1 ? Cycle(unlabeledPool, epoch, UnlabeledStreams).GetEnumerator() : null;
            for (int s = 0; s < StepsPerEpoch; s++)
            {
                protocolSteps.MoveNext();
                var step = protocolSteps.Current;
                long[] real = needs.UnlabeledRatio switch
                {
                    0 => [],
                    1 => step.Real,
                    _ => Take(unlabeledStream!, needs.UnlabeledRatio * batchSize),
                };
                if (needs.Labeled == LabeledSource.Protocol) { yield return step with { Real = real }; continue; }
                labeledBatches.MoveNext();
                yield return new Step(real, labeledBatches.Current, null);
            }
        }
    }

    static long[] Take(IEnumerator<long> stream, int count)
    {
        var items = new long[count];
        for (int k = 0; k < count; k++) { stream.MoveNext(); items[k] = stream.Current; }
        return items;
    }

    /// <summary>The epoch for a method: its steps (<see cref="Epoch(int, DataNeeds)"/>) and how each becomes a <see cref="Batch"/> of tensors.</summary>
    public EpochData Data(int epoch, Tensor images, Tensor labels, Device device, DataNeeds needs, Action? onStep) =>
        new(epoch, Epoch(epoch, needs), StepsPerEpoch, (step, i) => new Batch(step, epoch, i, StepsPerEpoch, seed, images, labels, device, needs), onStep);

    /// <summary>Endless full batches of labeled images: the labeled set reshuffled every pass (seeded by seed and epoch).</summary>
    public IEnumerable<long[]> LabeledBatches(int epoch) => LabeledCycle(epoch).Chunk(batchSize);

    // The unlabeled cycle's shuffles are streams of their own, apart from the labeled cycle's (1, 2, …) and the epoch order's (0).
    const int UnlabeledStreams = 1 << 20;

    IEnumerable<long> Cycle(long[] items, int epoch, int firstStream)
    {
        for (int pass = 0; ; pass++)
            foreach (long i in Shuffled((long[])items.Clone(), epoch, firstStream + pass)) yield return i;
    }

    IEnumerable<long> LabeledCycle(int epoch) => Cycle(labeled, epoch, 1);

    long[] Shuffled(long[] items, int epoch, int stream)
    {
        // Random(int) uses a fixed, documented algorithm for seeded instances: stable across runtimes.
        var rng = new Random(unchecked(seed * 1_000_003 + epoch * 7_919 + stream * 104_729));
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }
}
