package dev.proofshot.demo.logic

import dev.proofshot.DetectedBox

/** A rectangle in view pixels. */
data class ViewRect(val left: Float, val top: Float, val right: Float, val bottom: Float)

/**
 * Where a photo shown "fit centre" (`ImageView.ScaleType.FIT_CENTER`) lands in a view, and where
 * the SDK's boxes (pixels of the photo as submitted, upright) land with it.
 */
class FitCenter(photoWidth: Int, photoHeight: Int, viewWidth: Int, viewHeight: Int) {
    init {
        require(photoWidth > 0 && photoHeight > 0 && viewWidth > 0 && viewHeight > 0) {
            "sizes must be positive: photo ${photoWidth}x$photoHeight, view ${viewWidth}x$viewHeight"
        }
    }

    val scale: Float = minOf(viewWidth.toFloat() / photoWidth, viewHeight.toFloat() / photoHeight)
    val dx: Float = (viewWidth - photoWidth * scale) / 2
    val dy: Float = (viewHeight - photoHeight * scale) / 2

    /** [box] in view pixels. [photoScale] is the shown bitmap's size over the submitted photo's. */
    fun map(box: DetectedBox, photoScale: Float = 1f): ViewRect {
        val s = scale * photoScale
        return ViewRect(dx + box.x * s, dy + box.y * s, dx + (box.x + box.width) * s, dy + (box.y + box.height) * s)
    }

    /** The label drawn on a box: "package 0.93". */
    companion object {
        fun caption(box: DetectedBox): String = "${box.label} ${ResultText.score(box.score)}"
    }
}
