using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>Where a run stood after an epoch: enough, with the saved tensors, to continue it exactly.</summary>
public sealed record CheckpointMeta(string RunId, int Epoch, long Iterations, long ImagesSeen, long LabeledImagesSeen);

/// <summary>A trainer's networks and optimizers, saved and restored by name.</summary>
public interface ICheckpointable
{
    IEnumerable<(string Name, nn.Module Module)> Modules { get; }
    IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers { get; }
}

/// <summary>An epoch folder that passed its checks: the checkpoint to restore.</summary>
public sealed record FoundCheckpoint(CheckpointMeta Meta, string Folder);

/// <summary>
/// What <see cref="Checkpoint.Find"/> found: the checkpoint to resume from (null: none), and what was wrong
/// with a newer one it passed over (null: nothing). Neither: the run has no checkpoint and starts afresh;
/// a problem without a checkpoint: checkpoint files exist but none is intact.
/// </summary>
public sealed record CheckpointSearch(FoundCheckpoint? Usable, string? Problem);

/// <summary>
/// Per-run checkpoints under checkpoints/&lt;run id&gt;/: each epoch's files go into a new folder, with a
/// manifest (checkpoint.json: the counters and every file's size and SHA-256), and only then does
/// latest.json (replaced by an atomic rename) point at it, so a crash at any moment leaves the previous
/// checkpoint intact. The previous epoch's folder is kept too, so a damaged newest checkpoint still has an
/// intact one before it. Saved: every module's parameters and buffers, optimizer states, the torch CPU
/// random state (dropout, latent vectors) and the epoch counters. The batch order needs no state: it is a
/// function of (seed, epoch).
/// </summary>
public sealed class Checkpoint(string folder)
{
    const string ManifestName = "checkpoint.json";
    string Latest => Path.Combine(folder, "latest.json");

    sealed record FileEntry(long Bytes, string Sha256);
    sealed record Manifest(CheckpointMeta Meta, Dictionary<string, FileEntry> Files);

    static string EpochFolderName(int epoch) => $"epoch-{epoch:D4}";

    public void Save(CheckpointMeta meta, ICheckpointable trainer)
    {
        string final = Path.Combine(folder, EpochFolderName(meta.Epoch));
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        foreach (var (name, module) in trainer.Modules) module.save(Path.Combine(tmp, name + ".bin"));
        foreach (var (name, opt) in trainer.Optimizers) opt.save_state_dict(Path.Combine(tmp, name + ".opt"));
        using (var rng = torch.random.get_rng_state()) File.WriteAllBytes(Path.Combine(tmp, "rng.bin"), rng.data<byte>().ToArray());
        var files = Directory.GetFiles(tmp).Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileName(f), f => new FileEntry(new FileInfo(f).Length, Sha256(f)));
        File.WriteAllText(Path.Combine(tmp, ManifestName), JsonSerializer.Serialize(new Manifest(meta, files)));
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(tmp, final);

        string pointer = Latest + ".tmp";
        File.WriteAllText(pointer, JsonSerializer.Serialize(meta));
        File.Move(pointer, Latest, overwrite: true);
        // Kept: this epoch's folder and the newest one before it; everything else (older, later or unfinished) goes.
        string? previous = EpochFolders().Where(f => f.Epoch < meta.Epoch).Select(f => f.Path).FirstOrDefault();
        foreach (var old in Directory.GetDirectories(folder, "epoch-*").Where(d => d != final && d != previous))
            Directory.Delete(old, true);
    }

    /// <summary>The epoch latest.json names, without checking or loading anything; null when it is missing or unreadable.</summary>
    public int? LatestEpoch() => ReadLatest(out _)?.Epoch;

    /// <summary>
    /// The checkpoint to resume from, checked against its manifest without loading it: the one latest.json
    /// points at when it is intact, else the newest intact earlier epoch folder (the previous one
    /// <see cref="Save"/> keeps; when latest.json is unreadable, the newest intact one), with the problem
    /// that ruled out the newer one. A folder from before manifests is taken as it is when latest.json names it.
    /// </summary>
    public CheckpointSearch Find()
    {
        if (!Directory.Exists(folder)) return new(null, null);
        var latest = ReadLatest(out string? problem);
        if (latest is not null)
        {
            string dir = Path.Combine(folder, EpochFolderName(latest.Epoch));
            if (!Directory.Exists(dir)) problem = $"latest.json points at {EpochFolderName(latest.Epoch)}, which is missing";
            else if (!File.Exists(Path.Combine(dir, ManifestName))) return new(new FoundCheckpoint(latest, dir), null); // saved before manifests
            else if (Verify(dir, out var meta) is { } damage) problem = $"{EpochFolderName(latest.Epoch)}/{damage}";
            else if (meta!.Epoch != latest.Epoch) problem = $"latest.json names epoch {latest.Epoch}, but {EpochFolderName(latest.Epoch)}/{ManifestName} epoch {meta.Epoch}";
            else return new(new FoundCheckpoint(meta, dir), null);
        }
        foreach (var (epoch, dir) in EpochFolders().Where(f => latest is null || f.Epoch < latest.Epoch))
            if (File.Exists(Path.Combine(dir, ManifestName)) && Verify(dir, out var meta) is null && meta!.Epoch == epoch)
                return new(new FoundCheckpoint(meta, dir), problem ?? "latest.json is missing");
        return new(null, problem);
    }

    /// <summary>Loads a checkpoint <see cref="Find"/> returned into the trainer (throws whatever torch throws on files it cannot read).</summary>
    public static void Restore(FoundCheckpoint found, ICheckpointable trainer)
    {
        foreach (var (name, module) in trainer.Modules) module.load(Path.Combine(found.Folder, name + ".bin"));
        foreach (var (name, opt) in trainer.Optimizers) opt.load_state_dict(Path.Combine(found.Folder, name + ".opt"));
        using var rng = torch.tensor(File.ReadAllBytes(Path.Combine(found.Folder, "rng.bin")), dtype: ScalarType.Byte);
        torch.random.set_rng_state(rng);
    }

    public void Delete()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
    }

    /// <summary>latest.json's counters; null when it is missing (no problem) or unreadable (the problem says so).</summary>
    CheckpointMeta? ReadLatest(out string? problem)
    {
        problem = null;
        if (!File.Exists(Latest)) return null;
        try
        {
            if (JsonSerializer.Deserialize<CheckpointMeta>(File.ReadAllText(Latest)) is { RunId: not null } meta) return meta;
        }
        catch (JsonException) { }
        catch (IOException) { }
        problem = "latest.json is unreadable";
        return null;
    }

    /// <summary>The finished epoch folders (not *.tmp), newest first.</summary>
    IEnumerable<(int Epoch, string Path)> EpochFolders() =>
        Directory.GetDirectories(folder, "epoch-*")
            .Select(d => (Name: Path.GetFileName(d), Path: d))
            .Where(d => d.Name.Length == 10 && d.Name[6..].All(char.IsAsciiDigit))
            .Select(d => (int.Parse(d.Name[6..], System.Globalization.CultureInfo.InvariantCulture), d.Path))
            .OrderByDescending(d => d.Item1);

    /// <summary>Null when every file the folder's manifest lists has its recorded size and SHA-256; else what is wrong.</summary>
    static string? Verify(string dir, out CheckpointMeta? meta)
    {
        meta = null;
        Manifest? manifest;
        try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(dir, ManifestName))); }
        catch (Exception e) when (e is JsonException or IOException) { manifest = null; }
        if (manifest is not { Meta.RunId: not null, Files: not null }) return $"{ManifestName} is unreadable";
        foreach (var (name, entry) in manifest.Files)
        {
            string path = Path.Combine(dir, name);
            if (!File.Exists(path)) return $"{name} is missing";
            long bytes = new FileInfo(path).Length;
            if (bytes != entry.Bytes) return $"{name} is {(bytes < entry.Bytes ? "truncated" : "too long")}: {bytes} of {entry.Bytes} bytes";
            if (Sha256(path) != entry.Sha256) return $"{name} does not match the SHA-256 recorded when it was saved";
        }
        meta = manifest.Meta;
        return null;
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
