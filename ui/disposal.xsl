<?xml version="1.0" encoding="UTF-8"?>
<!--
  disposal.xsl: one disposal list as the bordereau shows it (every line,
  totals), with, for an archivist and a proposed list, the exclusion
  checkboxes, the visa and the approve and reject forms; and the
  confirmation page that says how many units and bytes will be destroyed.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <!-- A line of this page; an exclusion carried from another page. -->
  <xsl:key name="line" match="line" use="id"/>
  <xsl:key name="carried" match="disposal-page/exclude" use="."/>

  <xsl:variable name="decides" select="/*/user/@role = 'archivist' and /*/disposal/state = 'proposed'"/>

  <xsl:template match="disposal-page" mode="title">Bordereau d'élimination <xsl:value-of select="disposal/id"/></xsl:template>
  <xsl:template match="confirm" mode="title">Confirmer l'élimination</xsl:template>

  <xsl:template match="disposal-page" mode="main">
    <xsl:variable name="d" select="disposal"/>
    <dl class="summary">
      <dt>Service producteur</dt><dd><xsl:value-of select="$d/agency"/></dd>
      <dt>État</dt><dd id="state" data-state="{$d/state}"><xsl:call-template name="state"><xsl:with-param name="s" select="$d/state"/></xsl:call-template></dd>
      <dt>Proposé le</dt><dd><xsl:value-of select="$d/created"/> par <xsl:value-of select="$d/created_by"/></dd>
      <xsl:if test="$d/decided">
        <dt>Décision</dt><dd><xsl:value-of select="$d/decided"/> par <xsl:value-of select="$d/decided_by"/></dd>
      </xsl:if>
      <xsl:if test="$d/visa"><dt>Visa</dt><dd id="visa"><xsl:value-of select="$d/visa"/></dd></xsl:if>
      <xsl:if test="$d/comment"><dt>Commentaire</dt><dd><xsl:value-of select="$d/comment"/></dd></xsl:if>
      <xsl:if test="$d/reason"><dt>Motif du rejet</dt><dd><xsl:value-of select="$d/reason"/></dd></xsl:if>
      <xsl:if test="$d/due"><dt>Exécution prévue</dt><dd><xsl:value-of select="$d/due"/></dd></xsl:if>
      <xsl:if test="$d/executed"><dt>Exécuté le</dt><dd><xsl:value-of select="$d/executed"/> : <xsl:value-of select="$d/destroyed"/> unité(s) détruite(s), <xsl:value-of select="$d/excluded"/> exclue(s), <xsl:value-of select="$d/kept"/> conservée(s)</dd></xsl:if>
      <dt>Total</dt><dd><xsl:value-of select="$d/lines_total"/> unité(s), <xsl:value-of select="$d/objects"/> objet(s), <xsl:call-template name="num"><xsl:with-param name="n" select="$d/bytes"/></xsl:call-template> octets</dd>
    </dl>
    <ul class="links">
      <li><a href="/ui/disposals/{$d/id}/bordereau">Bordereau imprimable</a></li>
      <xsl:if test="$d/state = 'executed'">
        <li><a href="/ui/disposals/{$d/id}/notification" id="notification">Attestation d'élimination (SEDA ArchiveDestructionNotification)</a></li>
      </xsl:if>
    </ul>
    <xsl:choose>
      <xsl:when test="$decides">
        <form method="post" action="/ui/disposals/{$d/id}/approve" id="approve">
          <xsl:call-template name="csrf"/>
          <xsl:call-template name="lines"/>
          <fieldset>
            <legend>Approbation</legend>
            <p>Cochez « Exclure » sur les lignes à conserver : elles reprennent leur cours normal.</p>
            <p><label for="visa">Référence du visa de l'autorité de contrôle (obligatoire)</label>
              <input type="text" id="visa" name="visa" required="required" maxlength="200"/></p>
            <p><label for="comment">Commentaire</label>
              <textarea id="comment" name="comment" rows="2" cols="60"></textarea></p>
            <p><button type="submit">Approuver…</button> (une page de confirmation suit)</p>
          </fieldset>
          <!-- Exclusions made on the other pages of the list. -->
          <xsl:for-each select="exclude[not(key('line', .))]">
            <input type="hidden" name="exclude" value="{.}"/>
          </xsl:for-each>
          <!-- Turning pages posts the form, exclusions with it; after the
               approval button, which stays the form's default. -->
          <xsl:if test="@after or $d/next">
            <p class="pager">
              <xsl:if test="@after"><button type="submit" class="secondary" formaction="/ui/disposals/{$d/id}/page" formnovalidate="formnovalidate" name="after" value="">Premières lignes</button><xsl:text> </xsl:text></xsl:if>
              <xsl:if test="$d/next"><button type="submit" class="secondary" formaction="/ui/disposals/{$d/id}/page" formnovalidate="formnovalidate" name="after" value="{$d/next}">Lignes suivantes</button></xsl:if>
            </p>
          </xsl:if>
        </form>
        <form method="post" action="/ui/disposals/{$d/id}/reject" id="reject">
          <xsl:call-template name="csrf"/>
          <fieldset>
            <legend>Rejet</legend>
            <p><label for="reason">Motif du rejet (obligatoire)</label>
              <textarea id="reason" name="reason" rows="2" cols="60" required="required"></textarea></p>
            <p><button type="submit" class="secondary">Rejeter le bordereau</button></p>
          </fieldset>
        </form>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="lines"/>
        <xsl:if test="@after or $d/next">
          <p class="pager">
            <xsl:if test="@after"><a href="/ui/disposals/{$d/id}">Premières lignes</a><xsl:text> </xsl:text></xsl:if>
            <xsl:if test="$d/next"><a href="/ui/disposals/{$d/id}?after={$d/next}">Lignes suivantes</a></xsl:if>
          </p>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="lines">
    <table id="lines">
      <caption>Lignes du bordereau<xsl:if test="disposal/next or @after"> : <xsl:value-of select="count(disposal/line)"/> sur <xsl:value-of select="disposal/lines_total"/></xsl:if></caption>
      <thead>
        <tr>
          <xsl:if test="$decides"><th scope="col">Exclure</th></xsl:if>
          <th scope="col">Titre</th>
          <th scope="col">Identifiant</th>
          <th scope="col">Dates extrêmes</th>
          <th scope="col">Règle</th>
          <th scope="col">Durée</th>
          <th scope="col">Début</th>
          <th scope="col">Fin</th>
          <th scope="col">Sort final</th>
          <th scope="col">Objets</th>
          <th scope="col">Taille (octets)</th>
          <th scope="col">Contrôle des gels</th>
          <xsl:if test="disposal/state != 'proposed'"><th scope="col">Issue</th></xsl:if>
        </tr>
      </thead>
      <tbody>
        <!-- Read once: "../state" on each line would walk the list's
             thousands of children every time. -->
        <xsl:variable name="closed" select="disposal/state != 'proposed'"/>
        <xsl:for-each select="disposal/line">
          <tr data-unit="{id}">
            <xsl:if test="$decides">
              <td><input type="checkbox" name="exclude" value="{id}" id="ex-{id}">
                  <xsl:if test="key('carried', id)"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                </input>
                <label for="ex-{id}" class="sr-only">Exclure « <xsl:value-of select="title"/> »</label></td>
            </xsl:if>
            <th scope="row"><xsl:value-of select="title"/></th>
            <td><code><xsl:value-of select="id"/></code></td>
            <td><xsl:value-of select="start_date"/> – <xsl:value-of select="end_date"/></td>
            <td><xsl:value-of select="rule"/><xsl:if test="rule_label"> (<xsl:value-of select="rule_label"/>)</xsl:if></td>
            <td><xsl:value-of select="rule_duration"/></td>
            <td><xsl:value-of select="rule_start"/></td>
            <td><xsl:value-of select="rule_end"/></td>
            <td><xsl:value-of select="final_action"/></td>
            <td class="n"><xsl:value-of select="objects"/></td>
            <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="bytes"/></xsl:call-template></td>
            <td><xsl:value-of select="hold_check"/></td>
            <xsl:if test="$closed">
              <td class="outcome"><xsl:choose>
                <xsl:when test="excluded = 'true'">exclue</xsl:when>
                <xsl:when test="outcome = 'destroyed'">détruite</xsl:when>
                <xsl:when test="outcome = 'kept'">conservée</xsl:when>
                <xsl:otherwise>à venir</xsl:otherwise>
              </xsl:choose><xsl:if test="outcome_reason"> : <xsl:value-of select="outcome_reason"/></xsl:if></td>
            </xsl:if>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <xsl:template match="confirm" mode="main">
    <xsl:variable name="d" select="disposal"/>
    <div class="warning" role="alert" id="confirm-text">
      <p>Vous allez approuver le bordereau <strong><xsl:value-of select="$d/id"/></strong>
        (service <xsl:value-of select="$d/agency"/>) avec le visa « <xsl:value-of select="visa"/> ».</p>
      <p>Seront détruites définitivement :
        <strong id="confirm-units" data-value="{@units}"><xsl:value-of select="@units"/></strong> unité(s),
        <span id="confirm-objects" data-value="{@objects}"><xsl:value-of select="@objects"/></span> objet(s),
        <strong id="confirm-bytes" data-value="{@bytes}"><xsl:call-template name="num"><xsl:with-param name="n" select="@bytes"/></xsl:call-template></strong> octets
        (<xsl:value-of select="@excluded"/> ligne(s) exclue(s)). Chaque unité est vérifiée à nouveau avant sa destruction :
        un gel posé entre-temps la protège.</p>
    </div>
    <form method="post" action="/ui/disposals/{$d/id}/approve" id="confirm">
      <xsl:call-template name="csrf"/>
      <input type="hidden" name="visa" value="{visa}"/>
      <input type="hidden" name="comment" value="{comment}"/>
      <xsl:for-each select="exclude"><input type="hidden" name="exclude" value="{.}"/></xsl:for-each>
      <input type="hidden" name="confirm" value="1"/>
      <p><button type="submit">Confirmer l'élimination</button>
        <a href="/ui/disposals/{$d/id}">Annuler</a></p>
    </form>
  </xsl:template>
</xsl:stylesheet>
