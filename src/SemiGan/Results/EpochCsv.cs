using CsvHelper.Configuration;

namespace SemiGan.Results;

/// <summary>The tidy per-epoch CSV (one row per model x seed x epoch), written with CsvHelper.</summary>
public static class EpochCsv
{
    sealed class Map : ClassMap<EpochRecord>
    {
        public Map()
        {
            Map(r => r.Experiment).Name("experiment");
            Map(r => r.Model).Name("model");
            Map(r => r.Protocol).Name("protocol");
            Map(r => r.Head).Name("head");
            Map(r => r.Labels).Name("labels");
            Map(r => r.Seed).Name("seed");
            Map(r => r.Epoch).Name("epoch");
            Map(r => r.Iterations).Name("iterations");
            Map(r => r.ImagesSeen).Name("images_seen");
            Map(r => r.LabeledImagesSeen).Name("labeled_images_seen");
            Map(r => r.TestAccuracy).Name("test_accuracy");
            Map(r => r.TestLoss).Name("test_loss");
            Map(r => r.SupervisedLoss).Name("supervised_loss");
            Map(r => r.UnsupervisedLoss).Name("unsupervised_loss");
            Map(r => r.GeneratorLoss).Name("generator_loss");
            Map(r => r.EpochSeconds).Name("epoch_seconds");
        }
    }

    /// <summary>Appends rows (header first if the file is new) and flushes, so finished epochs survive a crash.</summary>
    public static void Append(string path, IEnumerable<EpochRecord> rows) => CsvFiles.Append(path, rows, new Map());

    /// <summary>Every complete row (a torn last line from a crash is ignored).</summary>
    public static List<EpochRecord> Read(string path) => CsvFiles.Read(path, new Map());

    /// <summary>Replaces the file's rows atomically.</summary>
    public static void Rewrite(string path, IEnumerable<EpochRecord> rows) => CsvFiles.Rewrite(path, rows, new Map());
}
