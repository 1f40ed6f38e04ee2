using System.Globalization;

namespace SemiGan.Data;

/// <summary>
/// The labeled subset of the training set: <see cref="PerClass"/> images of each class,
/// chosen by a seeded shuffle. It depends only on (seed, label count) for a given training set, and
/// because each class's shuffle does not depend on the count, smaller splits nest inside larger ones
/// for the same seed. System.Random(seed) is used (not torch) so the split is independent of the
/// model's random stream and stable across TorchSharp versions.
/// </summary>
public sealed class LabeledSplit
{
    /// <summary>The dataset's class count (labels are 0 .. Classes-1); MNIST's when not given.</summary>
    public int Classes { get; }
    public int Seed { get; }
    public int Count { get; }
    public int PerClass => Count / Classes;
    /// <summary>Training-set indices of the labeled images, ascending.</summary>
    public int[] Indices { get; }

    LabeledSplit(int classes, int seed, int count, int[] indices) { Classes = classes; Seed = seed; Count = count; Indices = indices; }

    static int DefaultClasses => Datasets.Mnist.Classes;

    public static LabeledSplit Create(ReadOnlySpan<byte> trainLabels, int count, int seed, int? classes = null) =>
        Create(trainLabels, count, seed, classes ?? DefaultClasses, fromEnd: false);

    /// <summary>
    /// The validation split: <paramref name="count"/> class-balanced images taken from the END of the same
    /// per-class seeded shuffles whose start gives the labeled split. So it depends only on (seed, count),
    /// is the same for every label count, and is disjoint from every labeled split of that seed as long
    /// as each class has room for both (<see cref="CheckDisjoint"/>).
    /// </summary>
    public static LabeledSplit CreateValidation(ReadOnlySpan<byte> trainLabels, int count, int seed, int? classes = null) =>
        Create(trainLabels, count, seed, classes ?? DefaultClasses, fromEnd: true);

    /// <summary>Throws, naming the class, when some class has fewer images than a labeled and the validation split together take.</summary>
    public static void CheckDisjoint(ReadOnlySpan<byte> trainLabels, int labels, int validation, int? classCount = null)
    {
        int classes = classCount ?? DefaultClasses;
        var perClass = new int[classes];
        foreach (byte b in trainLabels) perClass[b]++;
        for (int c = 0; c < classes; c++)
            if (labels / classes + validation / classes > perClass[c])
                throw new ArgumentException($"validation: {validation} held-out images and {labels} labels need {labels / classes + validation / classes} images of class {c}, the training set has {perClass[c]}; lower validation or labels.");
    }

    static LabeledSplit Create(ReadOnlySpan<byte> trainLabels, int count, int seed, int classes, bool fromEnd)
    {
        string field = fromEnd ? "validation" : "labels";
        if (count <= 0 || count % classes != 0)
            throw new ArgumentException($"{field}: {count} is not a positive multiple of {classes} (class-balanced split).");
        int perClass = count / classes;
        var byClass = Enumerable.Range(0, classes).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < trainLabels.Length; i++) byClass[trainLabels[i]].Add(i);

        var rng = new Random(seed);
        var chosen = new List<int>(count);
        for (int c = 0; c < classes; c++)
        {
            var pool = byClass[c].ToArray();
            if (pool.Length < perClass)
                throw new ArgumentException($"{field}: {count} needs {perClass} images of class {c}, the training set has {pool.Length}.");
            // Explicit Fisher-Yates: the split must not change if a runtime changes Random.Shuffle.
            for (int i = pool.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            chosen.AddRange(fromEnd ? pool.TakeLast(perClass) : pool.Take(perClass));
        }
        chosen.Sort();
        return new LabeledSplit(classes, seed, count, chosen.ToArray());
    }

    /// <summary>A bool per training image: is it labeled?</summary>
    public bool[] Mask(int trainCount)
    {
        var mask = new bool[trainCount];
        foreach (int i in Indices) mask[i] = true;
        return mask;
    }

    /// <summary>Saves "index,label" rows so a run's labeled images can be audited or reused.</summary>
    public void Save(string path, ReadOnlySpan<byte> trainLabels)
    {
        var lines = new List<string>(Count + 1) { "index,label" };
        foreach (int i in Indices) lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i},{trainLabels[i]}"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, lines);
    }

    public static int[] LoadIndices(string path) =>
        File.ReadLines(path).Skip(1).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
}
