package dev.proofshot.demo

import android.Manifest
import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Color
import android.graphics.SurfaceTexture
import android.os.Bundle
import android.os.SystemClock
import android.view.Gravity
import android.view.Surface
import android.view.TextureView
import android.view.View
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.FrameLayout
import android.widget.LinearLayout
import android.widget.TextView
import dev.proofshot.Capture
import dev.proofshot.CameraFrame
import dev.proofshot.RedactOptions
import dev.proofshot.demo.logic.ErrorText
import dev.proofshot.demo.logic.GuidanceThrottle
import dev.proofshot.demo.logic.PhotoInput
import dev.proofshot.demo.logic.StopFlow

/**
 * The camera screen: the preview with the SDK's live hint over it, the shutter (enabled when
 * the hint says ready, or always with QA's override), the stop id, and QA's tools (a photo from
 * the gallery, the policy, the evidence queue). A photo is redacted, submitted to the stop's
 * session on the evidence store, and shown on [ResultActivity].
 */
class CameraActivity : Activity() {
    private val app get() = application as DemoApp
    private val throttle = GuidanceThrottle(perSecond = 4)
    private var camera: CameraController? = null
    private var stop: StopFlow? = null
    @Volatile private var ready = false
    @Volatile private var busy = false

    private lateinit var preview: TextureView
    private lateinit var hint: TextView
    private lateinit var status: TextView
    private lateinit var stopId: EditText
    private lateinit var override: CheckBox
    private lateinit var shutter: Button

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        preview = TextureView(this)
        hint = TextView(this).apply {
            setTextColor(Color.WHITE)
            setBackgroundColor(0x99000000.toInt())
            textSize = 20f
            setPadding(24, 16, 24, 16)
        }
        status = TextView(this).apply { setPadding(16, 8, 16, 8) }
        stopId = EditText(this).apply {
            hint = getString(R.string.stop_id)
            setText(savedInstanceState?.getString(STATE_STOP) ?: "route-1/stop-1")
            setSingleLine()
        }
        override = CheckBox(this).apply {
            setText(R.string.qa_override)
            setOnCheckedChangeListener { _, _ -> refreshShutter() }
        }
        shutter = Button(this).apply { setText(R.string.take_photo); setOnClickListener { takePhoto() } }
        val stage = FrameLayout(this).apply {
            addView(preview)
            addView(hint, FrameLayout.LayoutParams(-1, -2, Gravity.TOP))
        }
        setContentView(LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            addView(stage, LinearLayout.LayoutParams(-1, 0, 1f))
            addView(status)
            addView(row(stopId.also { it.layoutParams = LinearLayout.LayoutParams(0, -2, 1f) },
                button(R.string.open_stop) { openStop() }))
            addView(override)
            addView(row(shutter, button(R.string.gallery) { pick(PICK_PHOTO, "image/*") },
                button(R.string.policy) { choosePolicy() }, button(R.string.evidence) {
                    startActivity(Intent(this@CameraActivity, QueueActivity::class.java))
                }))
        })
        title = getString(R.string.app_name)
        hint.text = getString(R.string.starting)
        refreshShutter()
        background({
            val info = app.verifier().policyInfo()
            info
        }) { info ->
            title = info.scannerTitle
            hint.text = info.scannerInstructions
            openStop()
        }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putString(STATE_STOP, stopId.text.toString())
    }

    override fun onResume() {
        super.onResume()
        if (checkSelfPermission(Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) startCamera()
        else requestPermissions(arrayOf(Manifest.permission.CAMERA), REQUEST_CAMERA)
        stop?.let { status.text = runCatching { it.status() }.getOrElse(ErrorText::describe) }
        refreshShutter()
    }

    override fun onPause() {
        camera?.release()
        camera = null
        super.onPause()
    }

    override fun onDestroy() {
        stop?.close()
        super.onDestroy()
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        if (requestCode != REQUEST_CAMERA) return
        if (grantResults.firstOrNull() == PackageManager.PERMISSION_GRANTED) startCamera()
        else hint.text = getString(R.string.camera_denied)
    }

    private fun startCamera() {
        if (camera != null) return
        val controller = CameraController(
            this,
            displayRotation = { 90 * windowManager.defaultDisplay.rotation.coerceIn(Surface.ROTATION_0, Surface.ROTATION_270) },
            wantFrame = { app.verifierIfReady() != null && throttle.tryStart(SystemClock.elapsedRealtime()) },
            onFrame = ::guide,
            onPhoto = { photo -> runOnUiThread { submit(photo) } },
            onError = { e ->
                runOnUiThread {
                    busy = false
                    hint.text = ErrorText.describe(e)
                    refreshShutter()
                }
            },
        )
        camera = controller
        val open = { texture: SurfaceTexture ->
            try {
                controller.open(texture)
            } catch (e: Exception) {
                hint.text = ErrorText.describe(e)
            }
        }
        preview.surfaceTexture?.let(open) ?: run {
            preview.surfaceTextureListener = object : TextureView.SurfaceTextureListener {
                override fun onSurfaceTextureAvailable(t: SurfaceTexture, w: Int, h: Int) { open(t) }
                override fun onSurfaceTextureSizeChanged(t: SurfaceTexture, w: Int, h: Int) {}
                override fun onSurfaceTextureDestroyed(t: SurfaceTexture) = true
                override fun onSurfaceTextureUpdated(t: SurfaceTexture) {}
            }
        }
    }

    /** On the camera thread: the frame is judged on the guidance thread, the hint shown on the UI's. */
    private fun guide(frame: CameraFrame) {
        app.guidanceWorker.execute {
            try {
                val g = app.verifier().guide(frame)
                runOnUiThread {
                    if (!busy) hint.text = g.message
                    ready = g.ready
                    refreshShutter()
                }
            } catch (e: Exception) {
                runOnUiThread { hint.text = ErrorText.describe(e) }
            } finally {
                throttle.finish()
            }
        }
    }

    private fun openStop() {
        val id = stopId.text.toString()
        background({
            // a bad stop id or an unusable store fails here, with the SDK's reason
            StopFlow(id, app.store().openSession(app.verifier(), id), app.verifier().policyInfo())
        }) { flow ->
            stop?.close()
            stop = flow
            status.text = flow.status()
            refreshShutter()
        }
    }

    private fun refreshShutter() {
        val flow = stop
        shutter.isEnabled = !busy && flow != null && runCatching { flow.shutterEnabled(ready, override.isChecked) }.getOrDefault(false)
    }

    private fun takePhoto() {
        val controller = camera ?: return
        busy = true
        refreshShutter()
        hint.text = app.verifierIfReady()?.policyInfo()?.processingMessage ?: ""
        controller.takePhoto()
    }

    /** A photo from the camera or the gallery, on the UI thread: redacted, submitted to the stop, then shown. */
    private fun submit(photo: ByteArray) {
        val flow = stop ?: return
        busy = true
        background({
            val redacted = app.verifier().redact(photo, RedactOptions(maxSide = 2048u, jpegQuality = 85u, people = false))
            val screen = flow.submit(photo, Capture(timeMs = System.currentTimeMillis()), redacted.jpeg)
            Shown(photo, redacted.jpeg, redacted.width.toInt(), screen)
        }, always = { busy = false; refreshShutter() }) { shown ->
            app.shown = shown
            status.text = flow.status()
            startActivity(Intent(this, ResultActivity::class.java))
        }
    }

    private fun choosePolicy() {
        AlertDialog.Builder(this)
            .setTitle(R.string.policy)
            .setItems(arrayOf(getString(R.string.policy_builtin), getString(R.string.policy_file))) { _, which ->
                if (which == 0) switchPolicy(null) else pick(PICK_POLICY, "*/*")
            }
            .show()
    }

    private fun switchPolicy(json: String?) = background({
        app.usePolicy(json)
        app.verifier().policyInfo()
    }) { info ->
        title = info.scannerTitle
        hint.text = getString(R.string.policy_in_force, info.name, info.id)
        openStop() // the stop's session judges with the verifier it was opened with
    }

    private fun pick(request: Int, type: String) {
        val intent = Intent(Intent.ACTION_GET_CONTENT).setType(type).addCategory(Intent.CATEGORY_OPENABLE)
        startActivityForResult(Intent.createChooser(intent, null), request)
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        val uri = data?.data
        if (resultCode != RESULT_OK || uri == null) return
        when (requestCode) {
            PICK_PHOTO -> background({
                contentResolver.openInputStream(uri)?.use { PhotoInput.readBounded(it) }
                    ?: throw java.io.FileNotFoundException("$uri")
            }) { submit(it) }
            PICK_POLICY -> background({
                contentResolver.openInputStream(uri)?.use { PhotoInput.readBounded(it, PhotoInput.MAX_POLICY_BYTES) }
                    ?: throw java.io.FileNotFoundException("$uri")
            }) { switchPolicy(String(it, Charsets.UTF_8)) }
        }
    }

    /** [onWorker], its error shown in place of the hint. */
    private fun <T> background(work: () -> T, always: () -> Unit = {}, done: (T) -> Unit) =
        onWorker(work, { hint.text = it }, always, done)

    private fun row(vararg views: View) = LinearLayout(this).apply {
        orientation = LinearLayout.HORIZONTAL
        views.forEach { addView(it) }
    }

    private companion object {
        const val REQUEST_CAMERA = 1
        const val PICK_PHOTO = 2
        const val PICK_POLICY = 3
        const val STATE_STOP = "stop"
    }
}
