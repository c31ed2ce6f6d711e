package dev.proofshot.demo

import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Matrix
import android.graphics.Paint
import android.media.ExifInterface
import android.widget.ImageView
import dev.proofshot.DetectedBox
import dev.proofshot.demo.logic.FitCenter
import java.io.File

/**
 * A photo with the SDK's boxes drawn on it: packages green, doors blue, the person or vehicle
 * that decided `package_placed` red. The boxes are in pixels of the photo upright, so the photo
 * is shown upright too (its EXIF orientation applied, as the SDK does).
 */
class BoxImageView(context: Context) : ImageView(context) {
    private var boxes: List<DetectedBox> = emptyList()
    private var uprightWidth = 0
    private var uprightHeight = 0
    private var bitmapScale = 1f
    private val stroke = Paint().apply { style = Paint.Style.STROKE; strokeWidth = 6f }
    private val label = Paint().apply { textSize = 36f; isAntiAlias = true }

    init {
        scaleType = ScaleType.FIT_CENTER
        adjustViewBounds = true
    }

    /** Shows [jpeg] upright, at most [maxSide] pixels on its long side, with [boxes] over it. */
    fun show(jpeg: ByteArray, boxes: List<DetectedBox>, maxSide: Int = 2048) {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeByteArray(jpeg, 0, jpeg.size, bounds)
        if (bounds.outWidth <= 0) {
            setImageDrawable(null)
            return
        }
        var sample = 1
        while (maxOf(bounds.outWidth, bounds.outHeight) / sample > maxSide) sample *= 2
        val decoded = BitmapFactory.decodeByteArray(jpeg, 0, jpeg.size, BitmapFactory.Options().apply { inSampleSize = sample })
            ?: return setImageDrawable(null)
        val bitmap = upright(decoded, orientation(jpeg))
        val turned = bitmap.width > bitmap.height != decoded.width > decoded.height
        uprightWidth = if (turned) bounds.outHeight else bounds.outWidth
        uprightHeight = if (turned) bounds.outWidth else bounds.outHeight
        bitmapScale = bitmap.width.toFloat() / uprightWidth
        this.boxes = boxes
        setImageBitmap(bitmap)
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        val bitmap = drawable ?: return
        if (width == 0 || height == 0 || uprightWidth == 0) return
        val fit = FitCenter(bitmap.intrinsicWidth, bitmap.intrinsicHeight, width, height)
        for (box in boxes) {
            val r = fit.map(box, bitmapScale)
            val color = when (box.label) {
                "package" -> Color.GREEN
                "door" -> Color.CYAN
                else -> Color.RED
            }
            stroke.color = color
            label.color = color
            canvas.drawRect(r.left, r.top, r.right, r.bottom, stroke)
            canvas.drawText(FitCenter.caption(box), r.left + 8, maxOf(r.top - 8, label.textSize), label)
        }
    }

    /** The EXIF orientation tag; android.media.ExifInterface reads only files before API 24. */
    private fun orientation(jpeg: ByteArray): Int {
        val file = File.createTempFile("shown", ".jpg", context.cacheDir)
        return try {
            file.writeBytes(jpeg)
            ExifInterface(file.path).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL)
        } catch (e: java.io.IOException) {
            ExifInterface.ORIENTATION_NORMAL
        } finally {
            file.delete()
        }
    }

    private fun upright(bitmap: Bitmap, orientation: Int): Bitmap {
        val m = Matrix()
        when (orientation) {
            ExifInterface.ORIENTATION_FLIP_HORIZONTAL -> m.setScale(-1f, 1f)
            ExifInterface.ORIENTATION_ROTATE_180 -> m.setRotate(180f)
            ExifInterface.ORIENTATION_FLIP_VERTICAL -> m.setScale(1f, -1f)
            ExifInterface.ORIENTATION_TRANSPOSE -> { m.setRotate(90f); m.postScale(-1f, 1f) }
            ExifInterface.ORIENTATION_ROTATE_90 -> m.setRotate(90f)
            ExifInterface.ORIENTATION_TRANSVERSE -> { m.setRotate(-90f); m.postScale(-1f, 1f) }
            ExifInterface.ORIENTATION_ROTATE_270 -> m.setRotate(-90f)
            else -> return bitmap
        }
        return Bitmap.createBitmap(bitmap, 0, 0, bitmap.width, bitmap.height, m, true)
    }
}
