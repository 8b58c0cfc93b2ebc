using System.Runtime.InteropServices;
using TorchSharp;

namespace Hark.Training.Native;

/// <summary>
/// Makes libtorch loadable and configures it once per process. Every entry point of Hark.Training calls
/// <see cref="EnsureLoadable"/> before its first torch call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so requires
/// <c>GLIBCXX_3.4.32</c>, which Debian 12 (libstdc++ up to 3.4.30) lacks; TorchSharp then reports a misleading
/// "doesn't contain a reference to libtorch-cpu-linux-x64". The only symbol needing that version,
/// <c>std::ios_base_library_init()</c>, is never called, so the requirement is marked weak in the copy beside
/// our assemblies (never in the package cache). Weak is harmless where the version exists, so the patch is
/// applied unconditionally and is idempotent.
/// <para>
/// libtorch's OpenMP threads spin while waiting by default. When the machine is busy (other processes, or our
/// own Parallel.For feature work) a spinning thread steals the core its partner needs and a step takes ten times
/// longer (measured: 0.5 s instead of 0.05 s per batch of 16 on 2 shared cores). Unless the user set it,
/// <c>OMP_WAIT_POLICY=PASSIVE</c> is put in the native environment before libgomp reads it.
/// </para>
/// </remarks>
public static partial class TorchRuntime
{
    public const string NativeLibraryName = "libLibTorchSharp.so";
    public const string StdCppLibrary = "libstdc++.so.6";
    public const string UnusedStdCppVersion = "GLIBCXX_3.4.32";

    private static readonly Lock Gate = new();
    private static bool _ready;

    /// <summary>The copies of <see cref="NativeLibraryName"/> this process may load, existing ones only.</summary>
    public static IReadOnlyList<string> FindNativeLibraries()
    {
        var folders = new[]
        {
            AppContext.BaseDirectory,
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory,
        };
        return folders.Select(f => Path.GetFullPath(Path.Combine(f, NativeLibraryName)))
            .Distinct().Where(File.Exists).ToList();
    }

    /// <summary>
    /// Patches the native library if needed, loads libtorch and fixes the thread count
    /// (<paramref name="threads"/> &lt;= 0 keeps libtorch's default). Safe to call repeatedly.
    /// </summary>
    /// <exception cref="HarkException">libtorch cannot be loaded; the message says why.</exception>
    public static void EnsureLoadable(int threads = 0)
    {
        lock (Gate)
        {
            if (!_ready)
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    foreach (string library in FindNativeLibraries())
                        ElfVersionPatcher.MarkWeak(library, StdCppLibrary, UnusedStdCppVersion);
                    // Environment.SetEnvironmentVariable only changes .NET's copy; libgomp reads the C environment.
                    _ = SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
                }
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                }
                catch (Exception e) when (e is NotSupportedException or TypeInitializationException or DllNotFoundException)
                {
                    throw new HarkException(
                        $"cannot load libtorch ({e.Message.ReplaceLineEndings(" ")}); run `ldd {Path.Combine(AppContext.BaseDirectory, NativeLibraryName)}` to see which library is missing", e);
                }
                _ready = true;
            }
            if (threads > 0) torch.set_num_threads(threads);
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeEnvironment(string name, string value, int overwrite);
}
