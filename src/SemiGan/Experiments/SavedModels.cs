using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Experiments;

/// <summary>
/// The networks ended runs saved under models/ (<see cref="SavedModel"/>: the last epoch's, and under best-validation the
/// selected epoch's in models/selected/), rebuilt and evaluated again as the runner
/// evaluated them: the method started from config.json, the saved state loaded, the classifier evaluated inside
/// <see cref="MethodRun.Evaluated"/> (so on averaged weights where the method keeps them) on the whole test set.
/// </summary>
public static class SavedModels
{
    /// <summary>
    /// The ended runs of a folder (runs.csv) with a saved model (the last epoch's, else the selected epoch's: a committed
    /// reference folder keeps only the model behind its reported figure), and those without one.
    /// </summary>
    public static (List<(RunStatus Run, SavedModelInfo Model)> Saved, List<RunStatus> Missing) Find(RunOutput output)
    {
        var saved = new List<(RunStatus, SavedModelInfo)>();
        var missing = new List<RunStatus>();
        foreach (var s in RunStatusCsv.Read(output.RunsCsv))
        {
            if ((SavedModel.TryRead(output.ModelFolder(s.Run)) ?? SavedModel.TryRead(output.SelectedModelFolder(s.Run))) is { } info) saved.Add((s, info));
            else missing.Add(s);
        }
        return (saved, missing);
    }

    /// <summary>One run's saved networks: test accuracy and loss, computed as the runner computed its epochs' rows.</summary>
    public static (double Accuracy, double Loss) Evaluate(ExperimentConfig config, RunSpec run, string modelFolder, SavedModelInfo info,
        Tensor testImages, Tensor testLabels, Device device)
    {
        var shape = ImageShape.Of(Datasets.Get(config.Dataset));
        using var method = config.MethodOf(run.Method).Start(new MethodContext(run, config.SettingsOf(run.Method), shape, device, info.ImplementationKind));
        SavedModel.Load(modelFolder, info, method);
        using (method.Evaluated())
            return Evaluator.Evaluate(method.Classifier, testImages, testLabels, config.EvalBatchSize, device);
    }

    /// <summary>
    /// Every saved model of the folder, in runs.csv order, beside epochs.csv's test accuracy of the same epoch: the last
    /// epoch's, then (under best-validation) the selected epoch's, whose test accuracy is the one the report gives.
    /// </summary>
    public static List<EvalRecord> EvaluateAll(RunOutput output, ExperimentConfig config, ImageDataset data, Device device, Action<EvalRecord>? each = null)
    {
        var rows = EpochCsv.Read(output.EpochsCsv).ToDictionary(r => (r.Run.Id, r.Epoch));
        var testImages = data.TestImages.to(device); // not disposed: on the data's device this is the dataset's own tensor
        var testLabels = data.TestLabels.to(device);
        var results = new List<EvalRecord>();
        foreach (var (s, info) in Find(output).Saved)
        {
            var models = new List<(string Kind, string Folder, SavedModelInfo Info)>();
            if (SavedModel.TryRead(output.ModelFolder(s.Run)) is { } last) models.Add((EvalRecord.Last, output.ModelFolder(s.Run), last));
            if (SavedModel.TryRead(output.SelectedModelFolder(s.Run)) is { } selected) models.Add((EvalRecord.Selected, output.SelectedModelFolder(s.Run), selected));
            foreach (var (kind, folder, model) in models)
            {
                var (accuracy, loss) = Evaluate(config, s.Run, folder, model, testImages, testLabels, device);
                var r = new EvalRecord
                {
                    RunId = s.RunId, Method = s.Run.Method, Seed = s.Run.Seed, Labels = s.Run.Labels, Status = s.Status, Model = kind, Epoch = model.Epoch,
                    TestAccuracy = accuracy, TestLoss = loss,
                    CsvTestAccuracy = rows.GetValueOrDefault((s.Run.Id, model.Epoch))?.TestAccuracy,
                };
                each?.Invoke(r);
                results.Add(r);
            }
        }
        return results;
    }
}
