using System.Text.Json;
using SemiGan.Data;
using SemiGan.Models;
using TorchSharp;

namespace SemiGan.Training;

/// <summary>What models/&lt;run id&gt;/model.json says about the networks saved beside it.</summary>
public sealed record SavedModelInfo
{
    public required string RunId { get; init; }
    /// <summary>How the run ended: "finished", or "diverged" (the networks as they were after the epoch whose loss was not finite);
    /// "selected" for the copy kept at the selected epoch (models/selected/, under best-validation).</summary>
    public required string Status { get; init; }
    public const string SelectedStatus = "selected";
    /// <summary>The epoch after which the networks were saved: the run's last row in epochs.csv, or its selected one.</summary>
    public required int Epoch { get; init; }
    /// <summary>The implementation that trained and evaluated them ("fast" or "reference").</summary>
    public required string Implementation { get; init; }
    /// <summary>The saved modules by name (&lt;name&gt;.bin each), e.g. discriminator, generator and, with averaged weights, ema.</summary>
    public string[] Modules { get; init; } = [];

    [System.Text.Json.Serialization.JsonIgnore]
    public Implementation ImplementationKind => Enum.TryParse<Implementation>(Implementation, ignoreCase: true, out var i) ? i
        : throw new DataException($"model.json of {RunId}: unknown implementation '{Implementation}'.");
}

/// <summary>
/// An ended run's final networks under models/&lt;run id&gt;/: every module of the method's run (parameters and buffers,
/// by name, as a checkpoint keeps them, so the weight average too where a method evaluates on one) and model.json.
/// Written to a new folder, then renamed into place, so a crash leaves either the old folder or the new one.
/// </summary>
public static class SavedModel
{
    public const string InfoFile = "model.json";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Save(string folder, SavedModelInfo info, ICheckpointable trainer)
    {
        string tmp = folder + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        foreach (var (name, module) in trainer.Modules) module.save(Path.Combine(tmp, name + ".bin"));
        File.WriteAllText(Path.Combine(tmp, InfoFile), JsonSerializer.Serialize(info with { Modules = trainer.Modules.Select(m => m.Name).ToArray() }, Json) + Environment.NewLine);
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Directory.Move(tmp, folder);
    }

    /// <summary>The model.json of a saved model; null when the folder holds none.</summary>
    public static SavedModelInfo? TryRead(string folder)
    {
        string path = Path.Combine(folder, InfoFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<SavedModelInfo>(File.ReadAllText(path), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new DataException($"{path}: not a valid model.json ({e.Message}); re-run the experiment into a new folder to save the model again."); }
    }

    /// <summary>Loads the saved modules into a run of the method built as the saved one was (same names, same shapes).</summary>
    public static void Load(string folder, SavedModelInfo info, ICheckpointable trainer)
    {
        var names = trainer.Modules.Select(m => m.Name).ToArray();
        if (!names.SequenceEqual(info.Modules))
            throw new DataException($"{folder}: holds modules [{string.Join(", ", info.Modules)}], the run's method builds [{string.Join(", ", names)}]; its config.json does not match the saved model.");
        foreach (var (name, module) in trainer.Modules)
        {
            string path = Path.Combine(folder, name + ".bin");
            if (!File.Exists(path)) throw new DataException($"{path}: file not found; the saved model is incomplete.");
            try { module.load(path); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException)
            {
                throw new DataException($"{path}: cannot be loaded into the run's {name} ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}); the file is damaged or from another configuration.");
            }
        }
    }
}
