package dev.proofshot.demo

import android.content.Context
import android.graphics.ImageFormat
import android.graphics.SurfaceTexture
import android.hardware.camera2.CameraAccessException
import android.hardware.camera2.CameraCaptureSession
import android.hardware.camera2.CameraCharacteristics
import android.hardware.camera2.CameraDevice
import android.hardware.camera2.CameraManager
import android.hardware.camera2.CaptureRequest
import android.media.ImageReader
import android.os.Handler
import android.os.HandlerThread
import android.util.Size
import android.view.Surface
import dev.proofshot.CameraFrame
import dev.proofshot.demo.logic.Frames
import dev.proofshot.demo.logic.PlaneData

/**
 * The back camera through camera2, with three outputs: the preview on a [SurfaceTexture], small
 * `YUV_420_888` frames for live guidance (about 640×480), and full-size JPEGs for the photo.
 * Callbacks arrive on the camera's own thread; [onFrame] gets frames already copied out of the
 * camera's buffers, and is asked first through [wantFrame] so that dropped frames cost nothing.
 */
class CameraController(
    private val context: Context,
    private val displayRotation: () -> Int,
    private val wantFrame: () -> Boolean,
    private val onFrame: (CameraFrame) -> Unit,
    private val onPhoto: (ByteArray) -> Unit,
    private val onError: (Throwable) -> Unit,
) {
    private val thread = HandlerThread("camera").apply { start() }
    private val handler = Handler(thread.looper)
    private var device: CameraDevice? = null
    private var session: CameraCaptureSession? = null
    private var frames: ImageReader? = null
    private var photos: ImageReader? = null
    private var sensorOrientation = 90

    /** The preview size chosen by [open], for the view's aspect ratio. */
    var previewSize: Size = Size(1280, 960)
        private set

    /** Opens the back camera onto [texture]. The caller holds the CAMERA permission. */
    @Throws(CameraAccessException::class, SecurityException::class)
    fun open(texture: SurfaceTexture) {
        val manager = context.getSystemService(Context.CAMERA_SERVICE) as CameraManager
        val id = manager.cameraIdList.firstOrNull {
            manager.getCameraCharacteristics(it).get(CameraCharacteristics.LENS_FACING) == CameraCharacteristics.LENS_FACING_BACK
        } ?: manager.cameraIdList.firstOrNull() ?: throw CameraAccessException(CameraAccessException.CAMERA_DISABLED, "no camera")
        val chars = manager.getCameraCharacteristics(id)
        sensorOrientation = chars.get(CameraCharacteristics.SENSOR_ORIENTATION) ?: 90
        val map = chars.get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP)
            ?: throw CameraAccessException(CameraAccessException.CAMERA_ERROR, "camera $id lists no stream sizes")
        val frameSize = closest(map.getOutputSizes(ImageFormat.YUV_420_888), 640 * 480)
        val photoSize = map.getOutputSizes(ImageFormat.JPEG).filter { it.width * it.height <= MAX_PHOTO_PIXELS }
            .maxByOrNull { it.width * it.height } ?: map.getOutputSizes(ImageFormat.JPEG).minByOrNull { it.width * it.height }!!
        previewSize = closest(map.getOutputSizes(SurfaceTexture::class.java), 1280 * 960)
        texture.setDefaultBufferSize(previewSize.width, previewSize.height)

        frames = ImageReader.newInstance(frameSize.width, frameSize.height, ImageFormat.YUV_420_888, 2).apply {
            setOnImageAvailableListener({ reader -> frame(reader) }, handler)
        }
        photos = ImageReader.newInstance(photoSize.width, photoSize.height, ImageFormat.JPEG, 1).apply {
            setOnImageAvailableListener({ reader -> photo(reader) }, handler)
        }
        manager.openCamera(id, object : CameraDevice.StateCallback() {
            override fun onOpened(camera: CameraDevice) {
                device = camera
                startPreview(camera, Surface(texture))
            }
            override fun onDisconnected(camera: CameraDevice) = close()
            override fun onError(camera: CameraDevice, error: Int) {
                close()
                onError(CameraAccessException(CameraAccessException.CAMERA_ERROR, "the camera failed (error $error)"))
            }
        }, handler)
    }

    private fun startPreview(camera: CameraDevice, preview: Surface) {
        val outputs = listOf(preview, frames!!.surface, photos!!.surface)
        camera.createCaptureSession(outputs, object : CameraCaptureSession.StateCallback() {
            override fun onConfigured(s: CameraCaptureSession) {
                session = s
                val request = camera.createCaptureRequest(CameraDevice.TEMPLATE_PREVIEW).apply {
                    addTarget(preview)
                    addTarget(frames!!.surface)
                    set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_PICTURE)
                }
                guarded { s.setRepeatingRequest(request.build(), null, handler) }
            }
            override fun onConfigureFailed(s: CameraCaptureSession) =
                onError(CameraAccessException(CameraAccessException.CAMERA_ERROR, "the camera refused the preview"))
        }, handler)
    }

    /** Takes a full-size photo; [onPhoto] gets its JPEG bytes. */
    fun takePhoto() = handler.post {
        val camera = device ?: return@post
        val s = session ?: return@post
        guarded {
            val request = camera.createCaptureRequest(CameraDevice.TEMPLATE_STILL_CAPTURE).apply {
                addTarget(photos!!.surface)
                set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_PICTURE)
                set(CaptureRequest.JPEG_ORIENTATION, Frames.rotationDegrees(sensorOrientation, displayRotation(), false))
            }
            s.capture(request.build(), null, handler)
        }
    }

    private fun frame(reader: ImageReader) {
        val image = reader.acquireLatestImage() ?: return
        try {
            if (!wantFrame()) return
            val planes = image.planes.map { PlaneData(it.buffer, it.rowStride, it.pixelStride) }
            val rotation = Frames.rotationDegrees(sensorOrientation, displayRotation(), false)
            onFrame(Frames.yuv420(image.width, image.height, planes, rotation))
        } catch (e: RuntimeException) {
            onError(e)
        } finally {
            image.close()
        }
    }

    private fun photo(reader: ImageReader) {
        val image = reader.acquireNextImage() ?: return
        val bytes = try {
            val buffer = image.planes[0].buffer
            ByteArray(buffer.remaining()).also { buffer.get(it) }
        } finally {
            image.close()
        }
        onPhoto(bytes)
    }

    private inline fun guarded(block: () -> Unit) {
        try {
            block()
        } catch (e: CameraAccessException) {
            onError(e)
        } catch (e: IllegalStateException) {
            onError(e) // the camera was closed under us
        }
    }

    /** Closes the camera; [open] may be called again (on resume). */
    fun close() {
        session?.close()
        session = null
        device?.close()
        device = null
        frames?.close()
        frames = null
        photos?.close()
        photos = null
    }

    /** Closes the camera and its thread for good. */
    fun release() {
        handler.post { close() }
        thread.quitSafely()
    }

    private fun closest(sizes: Array<Size>, pixels: Int): Size =
        sizes.minByOrNull { Math.abs(it.width * it.height - pixels) } ?: Size(640, 480)

    private companion object {
        /** 12 MP: the SDK decodes larger photos at reduced scale anyway. */
        const val MAX_PHOTO_PIXELS = 4032 * 3024
    }
}
