using Hark.Tests;
using Hark.Training.Native;
using TorchSharp;

namespace Hark.Training.Tests;

public class TorchLoadTests
{
    private static string ShippedLibrary() => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "torchsharp",
        typeof(torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "", "runtimes",
        "linux-x64", "native", TorchRuntime.NativeLibraryName);

    [SkippableFact]
    public void Patcher_sets_only_the_weak_flag_of_the_unused_version_and_is_idempotent()
    {
        string shipped = ShippedLibrary();
        Skip.IfNot(File.Exists(shipped), $"TorchSharp package not in the NuGet cache at {shipped}");
        byte[] original = File.ReadAllBytes(shipped);

        var before = ElfVersionPatcher.ReadVersionNeeds(original, shipped);
        var target = Assert.Single(before, n => n.Version == TorchRuntime.UnusedStdCppVersion);
        Assert.Equal(TorchRuntime.StdCppLibrary, target.Library);
        Assert.False(target.IsWeak);

        byte[] patched = (byte[])original.Clone();
        Assert.True(ElfVersionPatcher.MarkWeak(patched, TorchRuntime.StdCppLibrary, TorchRuntime.UnusedStdCppVersion, shipped));

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([(int)target.FlagsOffset], changed);
        Assert.Equal(original[target.FlagsOffset] | ElfVersionPatcher.VersionFlagWeak, patched[target.FlagsOffset]);

        var after = ElfVersionPatcher.ReadVersionNeeds(patched, shipped);
        Assert.Equal(before.Select(n => n with { IsWeak = n.IsWeak || n.Version == target.Version }), after);

        byte[] again = (byte[])patched.Clone();
        Assert.False(ElfVersionPatcher.MarkWeak(again, TorchRuntime.StdCppLibrary, TorchRuntime.UnusedStdCppVersion, shipped));
        Assert.Equal(patched, again);
    }

    [SkippableFact]
    public void Patching_a_file_replaces_it_in_place_without_leftovers_and_leaves_the_package_untouched()
    {
        string shipped = ShippedLibrary();
        Skip.IfNot(File.Exists(shipped), $"TorchSharp package not in the NuGet cache at {shipped}");
        string dir = TestPaths.NewTempDir("elf-patch");
        string copy = Path.Combine(dir, TorchRuntime.NativeLibraryName);
        File.Copy(shipped, copy);
        long shippedLength = new FileInfo(shipped).Length;
        var shippedBefore = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(shipped), shipped);

        Assert.True(ElfVersionPatcher.MarkWeak(copy, TorchRuntime.StdCppLibrary, TorchRuntime.UnusedStdCppVersion));
        Assert.False(ElfVersionPatcher.MarkWeak(copy, TorchRuntime.StdCppLibrary, TorchRuntime.UnusedStdCppVersion));

        Assert.Equal(shippedBefore, ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(shipped), shipped));
        Assert.Equal(shippedLength, new FileInfo(copy).Length);
        Assert.Contains(ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(copy), copy),
            n => n.Version == TorchRuntime.UnusedStdCppVersion && n.IsWeak);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Patcher_rejects_bytes_that_are_not_elf64_with_the_file_name()
    {
        var e = Assert.Throws<InputFileException>(() => ElfVersionPatcher.ReadVersionNeeds(new byte[100], "x.so"));
        Assert.StartsWith("x.so: not an ELF file", e.Message);
        byte[] truncated = new byte[64];
        truncated[0] = 0x7f; truncated[1] = (byte)'E'; truncated[2] = (byte)'L'; truncated[3] = (byte)'F';
        truncated[4] = 2; truncated[5] = 1; truncated[0x28] = 0xff; truncated[0x3A] = 64; truncated[0x3C] = 1;
        Assert.Contains("corrupt ELF", Assert.Throws<InputFileException>(() => ElfVersionPatcher.ReadVersionNeeds(truncated, "y.so")).Message);
    }

    [Fact]
    public void Torch_loads_and_computes_in_the_test_process()
    {
        TorchRuntime.EnsureLoadable();
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.tensor(new float[] { 4, 5, 6 });
        using var dot = torch.dot(a, b);
        Assert.Equal(32f, dot.item<float>());
        Assert.All(TorchRuntime.FindNativeLibraries(), path =>
            Assert.Contains(ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(path), path),
                n => n.Version == TorchRuntime.UnusedStdCppVersion && n.IsWeak));
    }
}
