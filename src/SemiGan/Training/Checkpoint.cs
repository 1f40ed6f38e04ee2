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

/// <summary>
/// Per-run checkpoints under checkpoints/&lt;run id&gt;/: each epoch's files go into a new folder, and only
/// then does latest.json (replaced by an atomic rename) point at it, so a crash at any moment leaves the
/// previous checkpoint intact. Saved: every module's parameters and buffers, optimizer states, the torch
/// CPU random state (dropout, latent vectors) and the epoch counters. The batch order needs no state: it
/// is a function of (seed, epoch).
/// </summary>
public sealed class Checkpoint(string folder)
{
    string Latest => Path.Combine(folder, "latest.json");

    public void Save(CheckpointMeta meta, ICheckpointable trainer)
    {
        string final = Path.Combine(folder, $"epoch-{meta.Epoch:D4}");
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        foreach (var (name, module) in trainer.Modules) module.save(Path.Combine(tmp, name + ".bin"));
        foreach (var (name, opt) in trainer.Optimizers) opt.save_state_dict(Path.Combine(tmp, name + ".opt"));
        using (var rng = torch.random.get_rng_state()) File.WriteAllBytes(Path.Combine(tmp, "rng.bin"), rng.data<byte>().ToArray());
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(tmp, final);

        string pointer = Latest + ".tmp";
        File.WriteAllText(pointer, JsonSerializer.Serialize(meta));
        File.Move(pointer, Latest, overwrite: true);
        foreach (var old in Directory.GetDirectories(folder, "epoch-*").Where(d => Path.GetFileName(d) != Path.GetFileName(final)))
            Directory.Delete(old, true);
    }

    /// <summary>The epoch of the latest checkpoint, without loading it.</summary>
    public int? LatestEpoch() => File.Exists(Latest) ? JsonSerializer.Deserialize<CheckpointMeta>(File.ReadAllText(Latest))!.Epoch : null;

    /// <summary>Restores the latest checkpoint into the trainer; null when there is none.</summary>
    public CheckpointMeta? TryRestore(ICheckpointable trainer)
    {
        if (!File.Exists(Latest)) return null;
        var meta = JsonSerializer.Deserialize<CheckpointMeta>(File.ReadAllText(Latest))!;
        string dir = Path.Combine(folder, $"epoch-{meta.Epoch:D4}");
        foreach (var (name, module) in trainer.Modules) module.load(Path.Combine(dir, name + ".bin"));
        foreach (var (name, opt) in trainer.Optimizers) opt.load_state_dict(Path.Combine(dir, name + ".opt"));
        using var rng = torch.tensor(File.ReadAllBytes(Path.Combine(dir, "rng.bin")), dtype: ScalarType.Byte);
        torch.random.set_rng_state(rng);
        return meta;
    }

    public void Delete()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
    }
}
