using System.Globalization;
using CsvHelper;
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

    static CsvConfiguration Config(bool header) => new(CultureInfo.InvariantCulture) { HasHeaderRecord = header };

    /// <summary>Appends rows (writing the header first if the file is new or empty) and flushes, so finished epochs survive a crash.</summary>
    public static void Append(string path, IEnumerable<EpochRecord> rows)
    {
        bool header = !File.Exists(path) || new FileInfo(path).Length == 0;
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        using var csv = new CsvWriter(writer, Config(header));
        csv.Context.RegisterClassMap<Map>();
        if (header) { csv.WriteHeader<EpochRecord>(); csv.NextRecord(); }
        csv.WriteRecords(rows);
    }

    public static List<EpochRecord> Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, Config(true));
        csv.Context.RegisterClassMap<Map>();
        return csv.GetRecords<EpochRecord>().ToList();
    }
}
