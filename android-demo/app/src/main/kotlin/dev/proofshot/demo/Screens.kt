package dev.proofshot.demo

import android.app.Activity
import android.widget.Button
import dev.proofshot.demo.logic.ErrorText

/**
 * Runs [work] on the SDK's worker thread ([DemoApp.worker]); on the UI thread, [always] runs,
 * then, unless the activity is gone, [done] with the result or [failed] with the error in words.
 */
fun <T> Activity.onWorker(work: () -> T, failed: (String) -> Unit, always: () -> Unit = {}, done: (T) -> Unit) {
    (application as DemoApp).worker.execute {
        val result = runCatching(work)
        runOnUiThread {
            always()
            if (!isDestroyed) result.fold(done) { e -> failed(ErrorText.describe(e)) }
        }
    }
}

/** A button with a string resource for its text. */
fun Activity.button(text: Int, onClick: () -> Unit) = Button(this).apply {
    setText(text)
    setOnClickListener { onClick() }
}
