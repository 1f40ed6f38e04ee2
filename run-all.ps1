#!/usr/bin/env pwsh
# Runs SemiGan end to end with the CLI: fetch MNIST, the seed experiment (SGAN vs the identical
# baseline, 1000 labels, several seeds), the label-count sweep, then the report over both.
# Windows PowerShell 5.1 or PowerShell 7 (pwsh) on Windows, Linux or macOS. Stops on the first
# failure; re-running resumes (finished runs are skipped, unfinished ones continue from checkpoints).
# Windows: not run on Windows by us; TorchSharp issue 1567 reports a load failure of 0.107.0 with libtorch 2.10.0,
# but every import of the pinned packages resolves statically (docs/running.md); install the Visual C++ 2015-2022 runtime.
#
#   ./run-all.ps1                      # reproduction + sweep + report under results/run-all/
#   ./run-all.ps1 -Quick               # the small-budget pipeline (experiments/quick.json) + report
#   ./run-all.ps1 -Answer              # the README's answer: the supervised CNN's tuning, claim-1000, claim-100,
#                                      # fm-100, fm-100-cnn, fashion + report (about 33 h of 1-thread training here;
#                                      # -Seeds leaves the tuning's own seeds 1001-1002)
#   ./run-all.ps1 -Device cuda         # on an NVIDIA GPU (builds with -p:TorchBackend=cuda into bin/cuda/)
#   ./run-all.ps1 -Seeds 1,2,3         # these seeds instead of each experiment's own (--seeds 1,2,3)
[CmdletBinding()]
param(
    [switch] $Quick,
    [switch] $Answer,
    [ValidateSet('auto', 'cpu', 'cuda')] [string] $Device = 'auto',
    # A list (-Seeds 1,2,3 in PowerShell) or one comma-separated string (what -File passes): both reach
    # the CLI as --seeds 1,2,3. Not [int[]]: -File hands "1,2,3" over as a single string.
    [ValidatePattern('^\d+(,\d+)*$')] [string[]] $Seeds,
    [string] $OutRoot = (Join-Path 'results' 'run-all')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location -Path $PSScriptRoot

if ($Quick -and $Answer) { throw "-Quick and -Answer select different experiments; pass one of them." }

$backend = if ($Device -eq 'cuda') { 'cuda' } else { 'cpu' }
$cli = Join-Path 'src' 'SemiGan.Cli'

function Invoke-Step {
    param([string] $Name, [string[]] $Arguments)
    Write-Host "==> $Name" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Name failed (exit code $LASTEXITCODE)" }
}

Invoke-Step 'build' @('build', $cli, '-c', 'Release', "-p:TorchBackend=$backend")

$semigan = @('run', '--project', $cli, '-c', 'Release', '--no-build', "-p:TorchBackend=$backend", '--')
Invoke-Step 'fetch MNIST' ($semigan + @('data', 'fetch'))

$experiments = if ($Quick) { @('quick') }
    elseif ($Answer) { @('tune-supervised', 'tune-supervised-2', 'claim-1000', 'claim-100', 'fm-100', 'fm-100-cnn', 'fashion') }
    else { @('seed-1000', 'sweep-labels') }
foreach ($name in $experiments) {
    $runArgs = @('run', (Join-Path 'experiments' "$name.json"), '--device', $Device, '--out', (Join-Path $OutRoot $name))
    # The tuning keeps its own seeds (1001-1002): settings chosen on the answer's seeds would not be held out.
    if ($Seeds -and $name -notlike 'tune-*') { $runArgs += @('--seeds', ($Seeds -join ',')) }
    Invoke-Step "experiment $name" ($semigan + $runArgs)
}

Invoke-Step 'report' ($semigan + @('report', $OutRoot))

Write-Host "All done. Results and report.md under $OutRoot/." -ForegroundColor Green
