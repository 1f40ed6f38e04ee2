namespace SemiGan.Training;

/// <summary>Mean losses over one epoch's steps (null where a loss does not apply) and the step/image counts.</summary>
public sealed record EpochLosses(double? Supervised, double? Unsupervised, double? Generator, int Steps, long RealImages, long LabeledImages);
