using CsCheck;
using Hark.Features;

namespace Hark.Tests.Features;

public class FrontEndStreamTests
{
    private static readonly short[] Clip = TestSignals.ChirpWithNoise();

    [Theory]
    [InlineData("mfcc10")]
    [InlineData("mfcc13")]       // pre-emphasis: the sample before each frame must carry over between pushes
    [InlineData("logmel32-fast")] // stride == window
    public void RandomChunks_GiveBitIdenticalFramesToTheBatchApi(string preset)
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Preset(preset));
        var batch = new float[frontEnd.FramesPerClip * frontEnd.FeaturesPerFrame];
        frontEnd.ComputeClip(Clip, batch);
        var chunkSize = Gen.OneOf(Gen.Const(0), Gen.Const(1), Gen.Int[0, 40], Gen.Int[0, 5000]);
        chunkSize.Array[1, 300].Sample(sizes =>
        {
            var stream = new FrontEndStream(frontEnd);
            var streamed = new float[batch.Length];
            int consumed = 0, frames = 0;
            for (int i = 0; consumed < Clip.Length; i++)
            {
                int size = Math.Min(sizes[i % sizes.Length] + (i >= sizes.Length ? 1 : 0), Clip.Length - consumed);
                int expectedFrames = stream.FramesFor(size);
                int written = stream.Push(Clip.AsSpan(consumed, size), streamed.AsSpan(frames * frontEnd.FeaturesPerFrame));
                Assert.Equal(expectedFrames, written);
                consumed += size;
                frames += written;
            }
            Assert.Equal(frontEnd.FramesPerClip, frames);
            Assert.Equal(frames, stream.FramesEmitted);
            Assert.True(batch.AsSpan().SequenceEqual(streamed), "streamed features differ from batch");
        }, iter: 40, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void FloatPush_EqualsInt16Push()
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        var a = new FrontEndStream(frontEnd);
        var b = new FrontEndStream(frontEnd);
        var fromShorts = new float[49 * 10];
        var fromFloats = new float[49 * 10];
        Assert.Equal(49, a.Push(Clip, fromShorts));
        Assert.Equal(49, b.Push(TestSignals.ToFloat(Clip), fromFloats));
        Assert.Equal(fromShorts, fromFloats);
    }

    [Fact]
    public void Push_AllocatesNothingPerFrame()
    {
        var stream = new FrontEndStream(new FrontEnd(FrontEndConfig.Default));
        var features = new float[49 * 10];
        float[] floats = TestSignals.ToFloat(Clip);
        stream.Push(Clip, features);   // warm up JIT tiers
        stream.Reset();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            stream.Reset();
            stream.Push(Clip, features);
            stream.Reset();
            stream.Push(floats, features);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Push_TooSmallOutput_ThrowsWithoutConsuming()
    {
        var stream = new FrontEndStream(new FrontEnd(FrontEndConfig.Default));
        Assert.Throws<ArgumentException>(() => stream.Push(Clip.AsSpan(0, 800), new float[10]));
        Assert.Equal(2, stream.FramesFor(800));
        Assert.Equal(2, stream.Push(Clip.AsSpan(0, 800), new float[20]));
    }
}
