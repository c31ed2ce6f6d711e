package dev.proofshot.demo.logic

import dev.proofshot.CameraFrame
import dev.proofshot.FrameFormat
import dev.proofshot.FramePlane
import java.nio.ByteBuffer

/**
 * One plane of a camera image as `android.media.Image.Plane` gives it: a direct buffer that is
 * only valid until the image is closed, and its strides.
 */
class PlaneData(val buffer: ByteBuffer, val rowStride: Int, val pixelStride: Int)

/**
 * Camera images to the SDK's [CameraFrame]. The planes are copied, so the `Image` can be
 * closed (and the camera given its buffer back) before the SDK runs; strides are passed as the
 * camera gives them and the SDK checks them against the size, so a padded or interleaved
 * layout needs no repacking here.
 */
object Frames {
    /** An `ImageFormat.YUV_420_888` image (`ImageReader`'s preview stream): Y, U, V planes. */
    fun yuv420(width: Int, height: Int, planes: List<PlaneData>, rotationDegrees: Int): CameraFrame {
        require(planes.size == 3) { "YUV_420_888 has 3 planes, got ${planes.size}" }
        return frame(width, height, FrameFormat.YUV420888, planes, rotationDegrees)
    }

    /** An `RGBA_8888` image (one plane, 4 bytes a pixel). */
    fun rgba(width: Int, height: Int, plane: PlaneData, rotationDegrees: Int): CameraFrame =
        frame(width, height, FrameFormat.RGBA8888, listOf(plane), rotationDegrees)

    private fun frame(width: Int, height: Int, format: FrameFormat, planes: List<PlaneData>, rotation: Int): CameraFrame {
        require(width > 0 && height > 0) { "frame size ${width}x$height" }
        require(rotation % 90 == 0) { "rotation $rotation is not a multiple of 90" }
        return CameraFrame(
            width.toUInt(),
            height.toUInt(),
            format,
            planes.map { FramePlane(copy(it.buffer), it.rowStride.toUInt(), it.pixelStride.toUInt()) },
            rotation.mod(360),
        )
    }

    /** The buffer's remaining bytes, without moving its position (the camera may read it). */
    private fun copy(buffer: ByteBuffer): ByteArray {
        val view = buffer.duplicate()
        return ByteArray(view.remaining()).also { view.get(it) }
    }

    /**
     * The clockwise rotation that makes a sensor image upright on screen: camera2's
     * `SENSOR_ORIENTATION` and the display's rotation (`Surface.ROTATION_*` in degrees). The front
     * camera is mirrored, so its sensor turns the other way.
     */
    fun rotationDegrees(sensorOrientation: Int, displayRotation: Int, frontFacing: Boolean): Int =
        if (frontFacing) (sensorOrientation + displayRotation).mod(360)
        else (sensorOrientation - displayRotation).mod(360)
}
