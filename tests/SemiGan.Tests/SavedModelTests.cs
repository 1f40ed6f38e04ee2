using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>models/&lt;run id&gt;/ and `semigan eval`: an ended run's networks, reloaded, give its recorded final test figures.</summary>
public class SavedModelTests
{
    const string Experiment = """
        { "name": "ev", "labels": 100, "seeds": [1], "epochs": 2, "methods": ["sgan", "baseline", "fm-gan"],
          "methodSettings": { "fm-gan": { "ema": 0.05 } }, "batchSize": 50, "learningRate": 0.002, "sampleCount": 4 }
        """;

    [Fact]
    public void Eval_reproduces_every_runs_final_test_accuracy_and_loss_including_averaged_weights()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 400, test: 200);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, Experiment);
        string outDir = Path.Combine(dir, "out");
        var (code, _, err) = CliCapture.Run("run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu");
        Assert.True(code == 0, err);

        var output = RunOutput.Existing(outDir);
        var cfg = ExperimentConfig.Load(output.ConfigPath);
        var last = EpochCsv.Read(output.EpochsCsv).GroupBy(r => r.Run.Id).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Epoch)!);
        var ended = RunStatusCsv.Read(output.RunsCsv);
        Assert.Equal(3, ended.Count);
        foreach (var s in ended)
        {
            var info = SavedModel.TryRead(output.ModelFolder(s.Run))!;
            Assert.Equal((s.RunId, RunStatus.Finished, 2), (info.RunId, info.Status, info.Epoch));
            Assert.Equal(s.Run.Method == "fm-gan", info.Modules.Contains("ema"));
            Assert.All(info.Modules, m => Assert.True(new FileInfo(Path.Combine(output.ModelFolder(s.Run), m + ".bin")).Length > 0));
            Assert.False(Directory.Exists(output.CheckpointFolder(s.Run)), "the checkpoint is gone once the model is saved");
            Assert.NotEmpty(Directory.GetFiles(output.TensorBoardFolder(s.Run), "events.out.tfevents.*")); // `run` logs for TensorBoard
        }

        (code, string stdout, err) = CliCapture.Run("eval", outDir, "--data", data, "--no-verify", "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        var rows = EvalCsv.Read(output.EvalCsv);
        Assert.Equal(ended.Select(s => s.RunId), rows.Select(r => r.RunId));
        foreach (var r in rows)
        {
            var csv = last[r.RunId];
            Assert.Equal((csv.Run.Method, csv.Run.Seed, csv.Run.Labels, RunStatus.Finished, 2), (r.Method, r.Seed, r.Labels, r.Status, r.Epoch));
            Assert.Equal(csv.TestAccuracy, r.TestAccuracy); // exactly: the same networks, evaluated the same way
            Assert.Equal(csv.TestLoss, r.TestLoss);
            Assert.Equal(csv.TestAccuracy, r.CsvTestAccuracy);
            Assert.Contains($"{r.RunId} (finished, last epoch 2): test accuracy ", stdout);
        }
        Assert.Contains("every test accuracy as in epochs.csv", stdout);

        // The averaged weights are what was evaluated: the fm-gan run's live weights give another test loss.
        var fm = ended.Single(s => s.Run.Method == "fm-gan").Run;
        var fmInfo = SavedModel.TryRead(output.ModelFolder(fm))!;
        using var images = SemiGan.Data.ImageDataset.Load(SemiGan.Data.Datasets.Mnist, data, verify: false);
        using var method = cfg.MethodOf(fm.Method).Start(new Methods.MethodContext(fm, cfg.SettingsOf(fm.Method), ImageShape.Of(images.Descriptor), CPU, fmInfo.ImplementationKind));
        SavedModel.Load(output.ModelFolder(fm), fmInfo, method);
        var live = Evaluator.Evaluate(method.Classifier, images.TestImages, images.TestLabels, cfg.EvalBatchSize, CPU);
        Assert.NotEqual(last[fm.Id].TestLoss, live.Loss);
    }

    [Fact]
    public void Under_best_validation_the_selected_epochs_model_is_kept_and_eval_reproduces_the_reported_accuracy()
    {
        using var data = Synthetic.Dataset(train: 400, test: 200);
        // Synthetic digits are learnt perfectly at once; under heavy noise and a high learning rate validation accuracy
        // moves up and down, so the selected epoch is not the last.
        random.manual_seed(7);
        using (no_grad())
        {
            data.TrainImages.add_(randn_like(data.TrainImages) * 2);
            data.TestImages.add_(randn_like(data.TestImages) * 2);
        }
        var cfg = new ExperimentConfig
        {
            Name = "sel", Labels = [100], Seeds = [1], Epochs = 4, BatchSize = 50, SampleCount = 0, Validation = 100, Select = SelectRule.BestValidation,
            Methods = ["baseline", "supervised"], LearningRate = 0.02,
        }.Validated();
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);

        var rows = new ExperimentRunner(cfg, data, output, CPU).Run();

        var evaluated = SavedModels.EvaluateAll(output, cfg, data, CPU);
        int earlier = 0;
        foreach (var run in rows.GroupBy(r => r.Run))
        {
            var selected = Reports.Aggregation.Selected(run.OrderBy(r => r.Epoch).ToList(), SelectRule.BestValidation);
            var kept = SavedModel.TryRead(output.SelectedModelFolder(run.Key))!;
            Assert.Equal((SavedModelInfo.SelectedStatus, selected.Epoch), (kept.Status, kept.Epoch));
            if (selected.Epoch < cfg.Epochs) earlier++;
            var e = evaluated.Single(x => x.RunId == run.Key.Id && x.Model == EvalRecord.Selected);
            Assert.Equal(selected.Epoch, e.Epoch);
            Assert.Equal(selected.TestAccuracy, e.TestAccuracy); // exactly: the reported (selected-epoch) figure
            Assert.Equal(selected.TestLoss, e.TestLoss);
            Assert.Equal(selected.TestAccuracy, e.CsvTestAccuracy);
            var last = evaluated.Single(x => x.RunId == run.Key.Id && x.Model == EvalRecord.Last);
            Assert.Equal((cfg.Epochs, run.MaxBy(r => r.Epoch)!.TestAccuracy), (last.Epoch, (double?)last.TestAccuracy));
        }
        Assert.True(earlier > 0, "some run's best validation must come before its last epoch, or this test shows nothing: " +
                                 string.Join("; ", rows.Select(r => $"{r.Run.Method} {r.Epoch} {r.ValidationAccuracy} {r.TestAccuracy}")));
        // The report's final accuracy is the kept model's.
        var reported = Reports.Aggregation.Runs(rows, RunStatusCsv.Read(output.RunsCsv), select: cfg.Select);
        Assert.All(reported, r => Assert.Equal(r.Final, evaluated.Single(x => x.RunId == r.Run.Id && x.Model == EvalRecord.Selected).TestAccuracy));

        // A committed reference folder keeps only models/selected/: eval still reproduces every reported figure from it.
        foreach (var run in rows.Select(r => r.Run).Distinct()) Directory.Delete(output.ModelFolder(run), recursive: true);
        var selectedOnly = SavedModels.EvaluateAll(output, cfg, data, CPU);
        Assert.All(selectedOnly, e => Assert.Equal(EvalRecord.Selected, e.Model));
        Assert.Equal(reported.Count, selectedOnly.Count);
        Assert.All(reported, r => Assert.Equal(r.Final, selectedOnly.Single(x => x.RunId == r.Run.Id).TestAccuracy));
    }

    [Fact]
    public void A_diverged_run_keeps_its_networks_marked_diverged_and_they_reproduce_its_last_row()
    {
        using var data = Synthetic.Dataset(train: 200, test: 100);
        var cfg = new ExperimentConfig { Name = "nan", Labels = [100], Seeds = [1], Epochs = 2, BatchSize = 50, SampleCount = 0 }.Validated();
        var split = SemiGan.Data.LabeledSplit.Create(data.TrainLabelsHost, 100, 1);
        int unlabeled = Enumerable.Range(0, 200).First(i => !split.Indices.Contains(i));
        data.TrainImages[unlabeled].fill_(float.NaN); // only the SGAN's unsupervised loss ever sees this image
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);

        var rows = new ExperimentRunner(cfg, data, output, CPU).Run();

        var sgan = RunStatusCsv.Read(output.RunsCsv).Single(s => s.Run.Method == "sgan");
        Assert.Equal(RunStatus.Diverged, sgan.Status);
        var info = SavedModel.TryRead(output.ModelFolder(sgan.Run))!;
        Assert.Equal((RunStatus.Diverged, 1), (info.Status, info.Epoch));
        var evaluated = SavedModels.EvaluateAll(output, cfg, data, CPU).ToDictionary(e => e.Method);
        Assert.Equal(RunStatus.Diverged, evaluated["sgan"].Status);
        Assert.Equal(RunStatus.Finished, evaluated["baseline"].Status);
        foreach (var (method, e) in evaluated)
        {
            var row = rows.Where(r => r.Run.Method == method).MaxBy(r => r.Epoch)!;
            Assert.Equal(row.TestAccuracy, e.TestAccuracy);
            Assert.Equal(row.TestLoss, e.TestLoss);
        }
    }

    [Fact]
    public void Bad_input_is_one_line_with_its_exit_code_and_writes_nothing()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """{ "name": "bad", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["baseline"], "batchSize": 50, "sampleCount": 0 }""");
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, CliCapture.Run("run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu", "--fast-path", "reference").Code);
        string models = Path.Combine(outDir, "models");
        string model = Path.Combine(models, "baseline-mnist-masked-gan_logit-labels-100-seed-1", "discriminator.bin");
        Assert.True(File.Exists(model), string.Join(", ", Directory.GetFiles(Path.GetDirectoryName(model)!)));

        void Refused(int expectedCode, string named, params string[] args)
        {
            var (code, stdout, err) = CliCapture.Run(["eval", .. args]);
            Assert.True(code == expectedCode, $"exit {code}: {err}");
            string line = Assert.Single(err.TrimEnd().Split('\n'));
            Assert.StartsWith("semigan: error: ", line);
            Assert.Contains(named, line);
            Assert.Equal("", stdout);
            Assert.False(File.Exists(Path.Combine(outDir, "eval.csv")));
        }

        Refused(2, "not a run folder", dir, "--data", data, "--no-verify");
        Refused(2, "no such", Path.Combine(dir, "nowhere"), "--data", data, "--no-verify");
        Refused(1, "file not found", outDir, "--data", Path.Combine(dir, "no-data"), "--no-verify");
        Refused(1, "SHA-256", outDir, "--data", data); // synthetic files are not MNIST's
        byte[] saved = File.ReadAllBytes(model);
        File.WriteAllBytes(model, saved[..(saved.Length / 2)]);
        Refused(1, "discriminator.bin", outDir, "--data", data, "--no-verify");
        File.WriteAllBytes(model, saved);
        Directory.Move(models, models + "-away");
        Refused(2, "no models/ folder", outDir, "--data", data, "--no-verify");
        Directory.Move(models + "-away", models);

        var (ok, output, _) = CliCapture.Run("eval", outDir, "--data", data, "--no-verify", "--device", "cpu");
        Assert.Equal(0, ok);
        Assert.Contains("every test accuracy as in epochs.csv", output);
    }
}
