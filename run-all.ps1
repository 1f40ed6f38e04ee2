#!/usr/bin/env pwsh
# Runs the SemiGan reproduction end to end with the CLI: fetch MNIST, the seed experiment
# (SGAN vs identical baseline, 1000 labels, several seeds), and its chart. Windows PowerShell 5.1
# or PowerShell 7 (pwsh) on Windows, Linux or macOS. Stops on the first failure.
#
#   ./run-all.ps1                      # full reproduction into results/seed-1000
#   ./run-all.ps1 -Quick               # the small-budget pipeline (experiments/quick.json)
#   ./run-all.ps1 -Device cuda         # on an NVIDIA GPU (build with -p:TorchBackend=cuda)
[CmdletBinding()]
param(
    [switch] $Quick,
    [ValidateSet('auto', 'cpu', 'cuda')] [string] $Device = 'auto',
    [string] $Seeds,
    [string] $OutRoot = 'results'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location -Path $PSScriptRoot

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

$experiments = if ($Quick) { @('quick') } else { @('seed-1000') }
foreach ($name in $experiments) {
    $runArgs = @('run', (Join-Path 'experiments' "$name.json"), '--device', $Device, '--out', (Join-Path $OutRoot $name))
    if ($Seeds) { $runArgs += @('--seeds', $Seeds) }
    Invoke-Step "experiment $name" ($semigan + $runArgs)
}

Write-Host "All done. Results under $OutRoot/." -ForegroundColor Green
